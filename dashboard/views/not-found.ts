export const NOT_FOUND = `<h1><%= it.t.notFound %></h1><p><%= it.what %></p>`;
