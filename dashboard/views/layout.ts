/** The page frame: navigation, language switch, the live region. Everything printed with <%= %> is escaped. */
export const LAYOUT = `<!doctype html>
<html lang="<%= it.lang === 'zh' ? 'zh-CN' : 'en' %>">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title><%= it.pageTitle %> · <%= it.t.title %></title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="<%= it.base %>/static/portal.css">
</head>
<body>
<header>
<a class="brand" href="<%= it.base %>/"><%= it.t.title %></a>
<nav>
<% for (const item of it.nav) { %><a href="<%= it.base %><%= item.path %>"<% if (item.current) { %> aria-current="page"<% } %>><%= item.label %></a>
<% } %></nav>
<span class="side"><% if (it.viewer) { %><%= it.t.signedInAs %> <%= it.viewer %> · <% } %><a href="?lang=<%= it.lang === 'zh' ? 'en' : 'zh' %>" hreflang="<%= it.lang === 'zh' ? 'en' : 'zh' %>"><%= it.t.language %></a></span>
</header>
<main id="main"<% if (it.live) { %> data-live-streams="<%= it.live.streams %>" data-live-events="<%= it.live.events %>" data-live-slow="<%= it.live.slow %>"<% } %>>
<%~ it.body %>
</main>
<script src="<%= it.base %>/static/live.js" defer></script>
</body>
</html>
`;
