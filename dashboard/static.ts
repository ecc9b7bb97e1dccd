/**
 * The portal's only static files, served from the package (no CDN, no build step): the style
 * sheet and the small script of the live parts. Pages work without the script; it only refreshes
 * the page's main region from the server when a live stream says something changed.
 */

export const CSS = `
:root{--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--muted:#57606a;--line:#d0d7de;--bg:#f6f8fa;--run:#0969da}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;color:#1f2328;background:#fff}
header{background:#24292f;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:center}
header a{color:#fff;text-decoration:none;padding:.25rem .4rem;border-radius:4px}
header a[aria-current=page]{background:#57606a}
header .brand{font-weight:700;margin-right:.5rem}
header .side{margin-left:auto;font-size:.85rem;color:#d0d7de}
main{padding:1rem;max-width:1200px;margin:0 auto}
h1{font-size:1.4rem;margin:.2rem 0 1rem}
h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:.75rem}
.card{border:1px solid var(--line);border-left:6px solid var(--muted);border-radius:6px;padding:.6rem .8rem;background:var(--bg)}
.card.up{border-left-color:var(--ok)}.card.down{border-left-color:var(--bad)}.card.degraded{border-left-color:var(--warn)}
.card h3{margin:0 0 .25rem;font-size:1rem}
.muted{color:var(--muted)}
.badge{display:inline-block;padding:0 .45rem;border-radius:10px;font-size:.8rem;font-weight:600;color:#fff;background:var(--muted);white-space:nowrap}
.badge.up,.badge.success{background:var(--ok)}.badge.down,.badge.failure,.badge.critical,.badge.timed_out{background:var(--bad)}
.badge.degraded,.badge.warning,.badge.cancelled{background:var(--warn)}.badge.running,.badge.in_progress,.badge.queued{background:var(--run)}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);vertical-align:middle}
th a{color:inherit}
tr.down td:first-child{border-left:4px solid var(--bad)}tr.up td:first-child{border-left:4px solid var(--ok)}
tr.down{background:#ffebe9}
.num{text-align:right;font-variant-numeric:tabular-nums}
.spark .frame{fill:#fff;stroke:var(--line)}.spark polyline{fill:none;stroke:var(--run);stroke-width:1.5}
.bar{width:100%;height:12px;display:block;background:var(--bg)}
.bar .success{fill:var(--ok)}.bar .failure,.bar .timed_out{fill:var(--bad)}.bar .cancelled{fill:var(--warn)}
.bar .running,.bar .queued{fill:var(--run)}.bar .skipped,.bar .neutral,.bar .other{fill:#8c959f}
td.timeline{min-width:160px;width:45%}
tr.step td:first-child{padding-left:1.5rem}
form.inline{display:inline}
button{font:inherit;padding:.2rem .6rem;border:1px solid var(--line);border-radius:4px;background:#fff;cursor:pointer}
.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin-bottom:.75rem}
.filters a{padding:.1rem .5rem;border:1px solid var(--line);border-radius:12px;text-decoration:none}
.filters a[aria-current=true]{background:#24292f;color:#fff}
.notice{padding:.5rem .75rem;border:1px solid var(--line);background:#fff8c5;border-radius:6px;margin:.5rem 0}
pre.logs{background:#24292f;color:#f6f8fa;padding:.75rem;border-radius:6px;overflow-x:auto;font-size:.85rem;white-space:pre-wrap}
.level-error,.level-critical,.level-fatal{color:#ff8182}.level-warn,.level-warning{color:#eac54f}
@media (max-width:640px){main{padding:.5rem}.hide-narrow{display:none}th,td{padding:.3rem}}
`;

export const LIVE_JS = `'use strict';
(function () {
  var main = document.getElementById('main');
  if (!main || !window.EventSource || !main.dataset.liveStreams) return;
  var timer = null;
  var last = 0;
  function refresh(delay) {
    if (timer) return;
    timer = setTimeout(function () {
      timer = null;
      last = Date.now();
      var url = new URL(location.href);
      url.searchParams.set('partial', '1');
      fetch(url, { credentials: 'same-origin', headers: { accept: 'text/html' } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html !== null) { main.innerHTML = html; main.dataset.liveUpdated = String(Date.now()); } })
        .catch(function () {});
    }, delay);
  }
  var fast = (main.dataset.liveEvents || '').split(' ').filter(Boolean);
  var slow = (main.dataset.liveSlow || '').split(' ').filter(Boolean);
  main.dataset.liveStreams.split(' ').forEach(function (src) {
    var es = new EventSource(src);
    fast.forEach(function (name) { es.addEventListener(name, function () { refresh(200); }); });
    slow.forEach(function (name) { es.addEventListener(name, function () { refresh(Math.max(200, 5000 - (Date.now() - last))); }); });
    es.addEventListener('open', function () { main.dataset.liveConnected = 'true'; });
  });
})();
`;
