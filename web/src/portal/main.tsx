import { render } from "preact";
import { LocationProvider, Router, Route, lazy, useLocation } from "preact-iso";
import { useEffect } from "preact/hooks";
import "../ui/base.css";
import "./portal.css";
import { t } from "../lib/i18n";
import { cid, community, hasRole, me, merchantOwner, restore, restored, selectCommunity } from "../lib/session";
import { LanguagePicker } from "../ui/LanguagePicker";
import { SignIn, SignOut } from "../ui/SignIn";
import { Skeleton } from "../ui/kit";
import { Dashboard, Applications, Billing, Tickets, Announcements } from "./manager";
import { Orders, Redeem, Catalogue, newOrders } from "./merchant";

// Screens used less often load on first visit, keeping the first load small.
const communityPages = () => import("./community");
const shopkeeping = () => import("./shopkeeping");
const VisitorPasses = lazy(() => communityPages().then((m) => m.VisitorPasses));
const Amenities = lazy(() => communityPages().then((m) => m.Amenities));
const Suggestions = lazy(() => communityPages().then((m) => m.Suggestions));
const Merchants = lazy(() => communityPages().then((m) => m.Merchants));
const Staff = lazy(() => communityPages().then((m) => m.Staff));
const TopUps = lazy(() => communityPages().then((m) => m.TopUps));
const RefundDisputes = lazy(() => communityPages().then((m) => m.RefundDisputes));
const Coupons = lazy(() => shopkeeping().then((m) => m.Coupons));
const GroupBuys = lazy(() => shopkeeping().then((m) => m.GroupBuys));
const Reviews = lazy(() => shopkeeping().then((m) => m.Reviews));
const DeliverySlots = lazy(() => shopkeeping().then((m) => m.DeliverySlots));
const Figures = lazy(() => shopkeeping().then((m) => m.Figures));
const ApiKeys = lazy(() => shopkeeping().then((m) => m.ApiKeys));
const ShopStaff = lazy(() => shopkeeping().then((m) => m.ShopStaff));
const webhooks = () => import("./webhooks");
const MerchantWebhooks = lazy(() => webhooks().then((m) => m.MerchantWebhooks));
const CommunityWebhooks = lazy(() => webhooks().then((m) => m.CommunityWebhooks));

export const P = "/portal";

function Nav() {
  const { path } = useLocation();
  const manager = hasRole("manager");
  const merchant = hasRole("merchant");
  const links: [string, string][] = [];
  if (manager)
    links.push([`${P}/`, t("nav.dashboard")], [`${P}/applications`, t("nav.applications")], [`${P}/billing`, t("nav.billing")], [`${P}/tickets`, t("nav.tickets")], [`${P}/announcements`, t("nav.announcements")],
      [`${P}/visitor-passes`, t("nav.passes")], [`${P}/amenities`, t("nav.amenities")], [`${P}/suggestions`, t("nav.suggestions")],
      [`${P}/merchants`, t("nav.merchants")], [`${P}/staff`, t("nav.staff")], [`${P}/top-ups`, t("nav.topups")], [`${P}/refund-disputes`, t("nav.refundDisputes")], [`${P}/community-webhooks`, t("nav.communityWebhooks")]);
  if (merchant) links.push([`${P}/orders`, t("nav.orders")], [`${P}/redeem`, t("nav.redeem")], [`${P}/delivery-slots`, t("nav.deliverySlots")]);
  // Staff accounts handle orders and redemptions only; the rest of the console is the owner's.
  if (merchant && merchantOwner())
    links.push([`${P}/catalogue`, t("nav.catalogue")], [`${P}/coupons`, t("nav.coupons")], [`${P}/group-buys`, t("nav.groupBuys")], [`${P}/reviews`, t("nav.reviews")],
      [`${P}/figures`, t("nav.figures")], [`${P}/shop-staff`, t("nav.shopStaff")], [`${P}/api-keys`, t("nav.apiKeys")], [`${P}/webhooks`, t("nav.webhooks")]);
  return (
    <nav class="side" aria-label={t("nav.main")}>
      <ul>
        {links.map(([href, label]) => (
          <li>
            <a href={href} aria-current={path === href ? "page" : undefined}>
              {label}
              {href.endsWith("/orders") && newOrders.value > 0 && (
                <span class="count" aria-label={t("merchant.newOrders", { count: newOrders.value })}>
                  {newOrders.value}
                </span>
              )}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function CommunitySwitcher() {
  const ids = [...new Set((me.value?.roles ?? []).filter((r) => r.role === "manager" || r.role === "merchant").map((r) => r.community_id))];
  if (ids.length < 2) return <span class="community-name">{community.value?.name}</span>;
  return (
    <label class="switcher">
      <span class="sr-only">{t("portal.community")}</span>
      <select value={String(cid.value)} onChange={(e) => selectCommunity(Number((e.currentTarget as HTMLSelectElement).value))}>
        {ids.map((id) => (
          <option value={String(id)}>{id === cid.value ? community.value?.name : `${t("portal.community")} #${id}`}</option>
        ))}
      </select>
    </label>
  );
}

function Home() {
  const { route } = useLocation();
  const manager = hasRole("manager");
  useEffect(() => {
    if (!manager && hasRole("merchant")) route(`${P}/orders`, true);
  }, [manager]);
  return manager ? <Dashboard /> : <NoRole />;
}

function NoRole() {
  if (hasRole("merchant")) return <Skeleton />;
  return (
    <section>
      <h1>{t("portal.noRoleTitle")}</h1>
      <p>{t("portal.noRole")}</p>
    </section>
  );
}

function Shell() {
  return (
    <div class="shell">
      <a class="skip" href="#main">
        {t("common.skip")}
      </a>
      <header class="top">
        <strong class="brand">Courtyard</strong>
        <CommunitySwitcher />
        <span class="grow" />
        <LanguagePicker />
        <span class="who">{me.value?.display_name}</span>
        <SignOut class="ghost" home={`${P}/`} />
      </header>
      <Nav />
      <main id="main" tabIndex={-1}>
        {cid.value ? (
          <Router>
            <Route path={`${P}/`} component={Home} />
            <Route path={`${P}/applications`} component={Applications} />
            <Route path={`${P}/billing`} component={Billing} />
            <Route path={`${P}/tickets`} component={Tickets} />
            <Route path={`${P}/announcements`} component={Announcements} />
            <Route path={`${P}/orders`} component={Orders} />
            <Route path={`${P}/redeem`} component={Redeem} />
            <Route path={`${P}/catalogue`} component={Catalogue} />
            <Route path={`${P}/visitor-passes`} component={VisitorPasses} />
            <Route path={`${P}/amenities`} component={Amenities} />
            <Route path={`${P}/suggestions`} component={Suggestions} />
            <Route path={`${P}/merchants`} component={Merchants} />
            <Route path={`${P}/staff`} component={Staff} />
            <Route path={`${P}/top-ups`} component={TopUps} />
            <Route path={`${P}/refund-disputes`} component={RefundDisputes} />
            <Route path={`${P}/coupons`} component={Coupons} />
            <Route path={`${P}/group-buys`} component={GroupBuys} />
            <Route path={`${P}/reviews`} component={Reviews} />
            <Route path={`${P}/delivery-slots`} component={DeliverySlots} />
            <Route path={`${P}/figures`} component={Figures} />
            <Route path={`${P}/api-keys`} component={ApiKeys} />
            <Route path={`${P}/shop-staff`} component={ShopStaff} />
            <Route path={`${P}/webhooks`} component={MerchantWebhooks} />
            <Route path={`${P}/community-webhooks`} component={CommunityWebhooks} />
            <Route default component={Home} />
          </Router>
        ) : (
          <NoRole />
        )}
      </main>
    </div>
  );
}

function Root() {
  if (!restored.value) return <Skeleton lines={4} />;
  if (!me.value)
    return (
      <main id="main" class="center">
        <SignIn title={t("portal.signInTitle")} prefer={["manager", "merchant"]} />
      </main>
    );
  return <Shell />;
}

restore(["manager", "merchant"]);
// Links outside this client (the app's shop notices to the portal's order queue, and back)
// are full page loads, not routes of this one.
render(
  <LocationProvider scope={P}>
    <Root />
  </LocationProvider>,
  document.getElementById("root")!,
);
