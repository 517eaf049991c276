import { render } from "preact";
import { LocationProvider, Router, Route, lazy, useLocation, useRoute } from "preact-iso";
import { useEffect, useState } from "preact/hooks";
import "../ui/base.css";
import "./app.css";
import { t } from "../lib/i18n";
import { me, restore, restored, rolesIn, cid, selectCommunity } from "../lib/session";
import { onNotification } from "../lib/ws";
import { Skeleton } from "../ui/kit";
import { OtherWay, SignIn } from "../ui/SignIn";
import { SignUp, Apply } from "./onboarding";
import { Home, unread } from "./home";
import { Shop, MerchantPage, Cart, OrdersPage, OrderPage } from "./shop";
import { Property } from "./property";
import { Clubs } from "./clubs";
import { MePage } from "./me";
import { A, online } from "./state";
import { captureReferral } from "./referral";

// Loaded on first visit: keeps the first load small on a slow phone connection.
const services = () => import("./services");
const parcels = () => import("./parcels");
const Repairs = lazy(() => services().then((m) => m.Repairs));
const Visitors = lazy(() => services().then((m) => m.Visitors));
const AmenityBooking = lazy(() => services().then((m) => m.AmenityBooking));
const SuggestionsPage = lazy(() => services().then((m) => m.SuggestionsPage));
const Parcels = lazy(() => parcels().then((m) => m.Parcels));
const Codes = lazy(() => parcels().then((m) => m.Codes));
const GroupBuysPage = lazy(() => import("./groupbuys").then((m) => m.GroupBuysPage));
const ProductPage = lazy(() => import("./product").then((m) => m.ProductPage));

/** A neighbour's share link (the server's share path under /app/): on to the app's own page. */
function SharedLink() {
  const { params } = useRoute();
  const { route } = useLocation();
  useEffect(() => {
    const to = params.pid ? `${A}/shop/${params.mid}/p/${params.pid}` : `${A}/group-buys#gb-${params.gid}`;
    const c = Number(params.cid);
    const go = () => route(to, true);
    if (c && c !== cid.value && rolesIn(c).some((r) => r.role === "resident")) selectCommunity(c).then(go, go);
    else go();
  }, [params.pid, params.gid]);
  return <Skeleton lines={4} />;
}


function Tabs() {
  const { path } = useLocation();
  const tabs: [string, string, string][] = [
    [`${A}/`, t("tabs.home"), "M3 11l9-7 9 7v9a1 1 0 0 1-1 1h-5v-6h-6v6H4a1 1 0 0 1-1-1z"],
    [`${A}/shop`, t("tabs.shop"), "M5 8h14l-1 12H6zM9 8V6a3 3 0 0 1 6 0v2"],
    [`${A}/property`, t("tabs.property"), "M4 21V5l8-3 8 3v16M9 21v-5h6v5M8 8h2M14 8h2M8 12h2M14 12h2"],
    [`${A}/clubs`, t("tabs.clubs"), "M12 3l2.6 5.6 6 .7-4.5 4.1 1.2 6-5.3-3-5.3 3 1.2-6L3.4 9.3l6-.7z"],
    [`${A}/me`, t("tabs.me"), "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21a8 8 0 0 1 16 0"],
  ];
  const current = (href: string) => (href === `${A}/` ? path === href : path.startsWith(href));
  return (
    <nav class="tabs" aria-label={t("nav.main")}>
      {tabs.map(([href, label, icon]) => (
        <a href={href} aria-current={current(href) ? "page" : undefined}>
          <svg aria-hidden="true" class="icon" viewBox="0 0 24 24">
            <path d={icon} />
          </svg>
          <span>{label}</span>
          {href === `${A}/` && unread.value > 0 && <span class="dot" aria-label={t("home.unread", { count: unread.value })}>{unread.value}</span>}
        </a>
      ))}
    </nav>
  );
}

function Toast() {
  const [msg, setMsg] = useState<string | null>(null);
  useEffect(
    () =>
      onNotification((n) => {
        setMsg(n.title);
        setTimeout(() => setMsg(null), 6000);
      }),
    [],
  );
  return (
    <div class="toast-region" role="status" aria-live="polite">
      {msg && <div class="toast">{msg}</div>}
    </div>
  );
}

function Resident() {
  return (
    <div class="app-shell">
      {!online.value && (
        <p class="offline" role="status">
          {t("common.offline")}
        </p>
      )}
      <Toast />
      <main id="main">
        <Router>
          <Route path={`${A}/`} component={Home} />
          <Route path={`${A}/shop`} component={Shop} />
          <Route path={`${A}/shop/:mid`} component={MerchantPage} />
          <Route path={`${A}/shop/:mid/p/:pid`} component={ProductPage} />
          <Route path={`${A}/communities/:cid/merchants/:mid/products/:pid`} component={SharedLink} />
          <Route path={`${A}/communities/:cid/group-buys/:gid`} component={SharedLink} />
          <Route path={`${A}/cart/:mid`} component={Cart} />
          <Route path={`${A}/orders`} component={OrdersPage} />
          <Route path={`${A}/orders/:oid`} component={OrderPage} />
          <Route path={`${A}/property`} component={Property} />
          <Route path={`${A}/property/repairs`} component={Repairs} />
          <Route path={`${A}/property/visitors`} component={Visitors} />
          <Route path={`${A}/property/amenities`} component={AmenityBooking} />
          <Route path={`${A}/property/suggestions`} component={SuggestionsPage} />
          <Route path={`${A}/parcels`} component={Parcels} />
          <Route path={`${A}/codes`} component={Codes} />
          <Route path={`${A}/group-buys`} component={GroupBuysPage} />
          <Route path={`${A}/clubs`} component={Clubs} />
          <Route path={`${A}/me`} component={MePage} />
          <Route path={`${A}/apply`} component={Apply} />
          <Route default component={Home} />
        </Router>
      </main>
      <Tabs />
    </div>
  );
}

function Welcome() {
  const [mode, setMode] = useState<"in" | "up">(location.search.includes("signup") ? "up" : "in");
  return (
    <main id="main" class="welcome">
      <p class="brand-big" aria-hidden="true">
        Courtyard
      </p>
      {mode === "in" ? (
        <SignIn
          title={t("auth.signInTitle")}
          prefer={["resident"]}
          footer={<OtherWay question={t("auth.noAccount")} label={t("auth.signUp")} onClick={() => setMode("up")} />}
        />
      ) : (
        <SignUp onSignIn={() => setMode("in")} />
      )}
    </main>
  );
}

/** Offline, a reload cannot reach /v1/me: the order pages still show cached codes. */
function OfflineCodes() {
  return (
    <div class="app-shell">
      <p class="offline" role="status">
        {t("common.offline")}
      </p>
      <main id="main">
        <Router>
          <Route path={`${A}/orders/:oid`} component={OrderPage} />
          <Route path={`${A}/codes`} component={Codes} />
          <Route default component={OrdersPage} />
        </Router>
      </main>
    </div>
  );
}

function Root() {
  if (!restored.value) return <Skeleton lines={6} />;
  if (!me.value) return online.value ? <Welcome /> : <OfflineCodes />;
  if (!cid.value || !rolesIn(cid.value).some((r) => r.role === "resident")) return <Apply />;
  return <Resident />;
}


captureReferral();
restore(["resident"]);
if (import.meta.env.PROD && "serviceWorker" in navigator) {
  addEventListener("load", () => navigator.serviceWorker.register(`${A}/sw.js`, { scope: `${A}/` }).catch(() => undefined));
}
// Links outside this client (the app's shop notices to the portal's order queue, and back)
// are full page loads, not routes of this one.
render(
  <LocationProvider scope={A}>
    <Root />
  </LocationProvider>,
  document.getElementById("root")!,
);
