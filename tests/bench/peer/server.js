// Peer for side-by-side benchmarks (tests/bench/peer_compare.sh): the same reads that
// Courtyard routes serve, written the way a Node team would (Fastify + mysql2 pool, prepared
// statements), over the schema Courtyard creates. Not part of the product.
// Copied from ../shared/peers/fastify and kept equivalent to what Courtyard runs per request
// (see README.md): the principal is the same single session ⋈ account ⋈ memberships statement
// Courtyard runs when its principal cache misses; the list and order reads run Courtyard's
// statements. What Courtyard has and this peer does not is the principal cache.
const crypto = require('crypto');
const fastify = require('fastify')({ logger: false });
const mysql = require('mysql2/promise');
const pool = mysql.createPool({ host: process.env.DB_HOST || '127.0.0.1', port: +(process.env.DB_PORT || 3307),
  user: process.env.DB_USER || 'cc', password: process.env.DB_PASS ?? 'ccpw',
  database: process.env.DB_NAME || 'cc', connectionLimit: +(process.env.DB_POOL || 12) });

const ROLES = new Set(['resident', 'manager', 'merchant', 'courier']);
const iso = (ms) => (ms == null ? null : new Date(Number(ms)).toISOString().replace(/\.\d{3}Z$/, 'Z'));

fastify.get('/healthz', async () => ({ status: 'ok' }));

// Bearer session -> account + memberships, as Courtyard's authenticator does on a cache miss.
async function principal(req) {
  const h = req.headers.authorization || '';
  if (!h.startsWith('Bearer ')) return null;
  const hash = crypto.createHash('sha256').update(h.slice(7)).digest('hex');
  const [rows] = await pool.execute(
    'SELECT a.id, a.email, a.display_name, a.is_admin, a.created_at, t.expires_at,' +
    ' m.community_id, m.role, m.unit_id, m.merchant_id' +
    ' FROM sessions t JOIN accounts a ON a.id = t.account_id' +
    ' LEFT JOIN memberships m ON m.account_id = a.id' +
    ' WHERE t.token_hash = ? AND t.revoked_at IS NULL AND t.expires_at > ?' +
    ' ORDER BY m.community_id, m.id', [hash, Date.now()]);
  if (!rows.length) return null;
  const a = rows[0];
  const roles = [];
  for (const r of rows) {
    if (r.community_id == null || !ROLES.has(r.role)) continue;
    roles.push({ community_id: Number(r.community_id), role: r.role, unit_id: Number(r.unit_id),
                 merchant_id: Number(r.merchant_id) });
  }
  return { id: Number(a.id), email: a.email, display_name: a.display_name, admin: !!a.is_admin,
           created_at: Number(a.created_at), roles };
}

const member = (p, cid) => p.admin || p.roles.some(r => r.community_id === cid);
const actsFor = (p, cid, mid) => p.admin || p.roles.some(r => r.community_id === cid && r.role === 'merchant' && r.merchant_id === mid);

fastify.get('/v1/me', async (req, reply) => {
  const p = await principal(req);
  if (!p) { reply.code(401); return { status: 401 }; }
  const roles = p.roles.map(r => {
    const o = { community_id: r.community_id, role: r.role };
    if (r.role === 'resident') o.unit_id = r.unit_id;
    if (r.role === 'merchant') o.merchant_id = r.merchant_id;
    return o;
  });
  return { id: p.id, email: p.email, display_name: p.display_name, admin: p.admin, created_at: iso(p.created_at), roles };
});

const PRODUCT_COLS = 'id, community_id, merchant_id, name, category, price_cents, stock, active, created_at, updated_at';
const productJson = (r) => ({ id: Number(r.id), community_id: Number(r.community_id), merchant_id: Number(r.merchant_id),
  name: r.name, category: r.category, price_cents: Number(r.price_cents), stock: Number(r.stock), active: !!r.active,
  created_at: iso(r.created_at), updated_at: iso(r.updated_at) });

// The merchant must exist in the community (404) and be approved (409), as in Courtyard.
async function approvedMerchant(cid, mid, reply) {
  const [m] = await pool.execute('SELECT status FROM merchants WHERE id = ? AND community_id = ?', [mid, cid]);
  if (!m.length) { reply.code(404); return false; }
  if (m[0].status !== 'approved') { reply.code(409); return false; }
  return true;
}

fastify.get('/v1/communities/:cid/merchants/:mid/products/:pid', async (req, reply) => {
  const p = await principal(req);
  if (!p) { reply.code(401); return { status: 401 }; }
  const cid = +req.params.cid, mid = +req.params.mid;
  if (!member(p, cid)) { reply.code(404); return { status: 404 }; }
  const [rows] = await pool.execute(
    'SELECT m.status, p.' + PRODUCT_COLS.split(', ').join(', p.') +
    ' FROM merchants m LEFT JOIN products p ON p.id = ? AND p.merchant_id = m.id AND p.community_id = m.community_id' +
    ' WHERE m.id = ? AND m.community_id = ?', [req.params.pid, mid, cid]);
  if (!rows.length) { reply.code(404); return { status: 404 }; }
  if (rows[0].status !== 'approved') { reply.code(409); return { status: 409 }; }
  if (rows[0].id == null || (!rows[0].active && !actsFor(p, cid, mid))) { reply.code(404); return { status: 404 }; }
  return productJson(rows[0]);
});

fastify.get('/v1/communities/:cid/merchants/:mid/products', async (req, reply) => {
  const p = await principal(req);
  if (!p) { reply.code(401); return { status: 401 }; }
  const cid = +req.params.cid, mid = +req.params.mid;
  if (!member(p, cid)) { reply.code(404); return { status: 404 }; }
  if (!await approvedMerchant(cid, mid, reply)) return { status: reply.statusCode };
  const limit = Math.min(Math.max(+(req.query.limit || 50), 1), 200);
  const all = actsFor(p, cid, mid) ? 1 : 0;
  const [rows] = await pool.execute(
    'SELECT ' + PRODUCT_COLS + ' FROM products WHERE community_id = ? AND merchant_id = ? AND (? = \'\' OR category = ?)' +
    ' AND (? = 1 OR active = 1) AND id < ? ORDER BY id DESC LIMIT ?',
    [cid, mid, '', '', all, Number.MAX_SAFE_INTEGER, String(limit + 1)]);
  const items = rows.slice(0, limit).map(productJson);
  return { items, next_cursor: rows.length > limit ? Buffer.from(String(items[items.length - 1].id)).toString('base64url') : null };
});

const ORDER_COLS = 'id, community_id, merchant_id, buyer_id, unit_id, status, fulfilment, subtotal_cents, discount_cents, ' +
  'total_cents, coupon_id, coupon_code, redemption_code, group_buy_id, created_at, updated_at, accepted_at, ' +
  'ready_at, completed_at, cancelled_at, cancelled_by';

fastify.get('/v1/me/orders', async (req, reply) => {
  const p = await principal(req);
  if (!p) { reply.code(401); return { status: 401 }; }
  const limit = Math.min(Math.max(+(req.query.limit || 50), 1), 200);
  const [orders] = await pool.execute(
    'SELECT ' + ORDER_COLS + ' FROM orders WHERE buyer_id = ? AND (? = \'\' OR status = ?) AND id < ? ORDER BY id DESC LIMIT ?',
    [p.id, '', '', Number.MAX_SAFE_INTEGER, String(limit + 1)]);
  const page = orders.slice(0, limit);
  const items = [];
  for (const o of page) {
    const [lines] = await pool.execute(
      'SELECT product_id, name, category, unit_price_cents, quantity, line_cents FROM order_items ' +
      'WHERE order_id = ? AND community_id = ? ORDER BY id', [o.id, o.community_id]);
    items.push({ id: Number(o.id), community_id: Number(o.community_id), merchant_id: Number(o.merchant_id),
      buyer_id: Number(o.buyer_id), unit_id: Number(o.unit_id), status: o.status, fulfilment: o.fulfilment,
      items: lines.map(l => ({ product_id: Number(l.product_id), name: l.name, category: l.category,
        unit_price_cents: Number(l.unit_price_cents), quantity: Number(l.quantity), line_total_cents: Number(l.line_cents) })),
      subtotal_cents: Number(o.subtotal_cents), discount_cents: Number(o.discount_cents), total_cents: Number(o.total_cents),
      coupon_code: o.coupon_code, group_buy_id: o.group_buy_id == null ? null : Number(o.group_buy_id),
      created_at: iso(o.created_at), updated_at: iso(o.updated_at), accepted_at: iso(o.accepted_at),
      ready_at: iso(o.ready_at), completed_at: iso(o.completed_at), cancelled_at: iso(o.cancelled_at),
      redemption_code: o.redemption_code });
  }
  return { items, next_cursor: orders.length > limit ? Buffer.from(String(page[page.length - 1].id)).toString('base64url') : null };
});

fastify.listen({ host: process.env.DB_HOST || '127.0.0.1', port: +(process.env.PORT || 18081) });
