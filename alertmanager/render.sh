#!/bin/sh
# Renders alertmanager.yml: every ${VAR} is replaced by that environment variable, which must be
# set and not empty; every ${VAR:-default} by the variable or the default. Alertmanager itself
# reads no environment. Used by the compose service (entrypoint.sh) and `npm run stack`.
#   sh alertmanager/render.sh IN OUT
# Exits 1 naming the variables missing, and writes nothing then. POSIX sh and awk (busybox too).
set -eu
in=$1
out=$2
tmp="$out.tmp.$$"
umask 077
if ! awk '
  {
    line = $0; res = ""
    while (match(line, /\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}/)) {
      ref = substr(line, RSTART + 2, RLENGTH - 3)
      name = ref; def = ""; hasdef = 0
      i = index(ref, ":-")
      if (i > 0) { name = substr(ref, 1, i - 1); def = substr(ref, i + 2); hasdef = 1 }
      val = ENVIRON[name]
      if (val == "") {
        if (hasdef) val = def
        else if (!(name in missing)) { missing[name] = 1; order = order " " name }
      }
      res = res substr(line, 1, RSTART - 1) val
      line = substr(line, RSTART + RLENGTH)
    }
    print res line
  }
  END {
    if (order != "") { print "alertmanager: environment variables not set:" order > "/dev/stderr"; exit 1 }
  }
' "$in" > "$tmp"; then
  rm -f "$tmp"
  exit 1
fi
mv "$tmp" "$out"
