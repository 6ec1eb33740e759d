#!/usr/bin/env bash
# Refresh the GraphiQL files shipped in comptoir/static/graphiql/ from the npm registry, at the
# pinned versions below, with their licences. The page must work without internet access and
# under a CSP of 'self', so nothing is loaded from a CDN at run time.
#   scripts/vendor-graphiql.sh        (needs npm; writes only comptoir/static/graphiql/vendor/)
set -euo pipefail
cd "$(dirname "$0")/.."
GRAPHIQL=3.8.3 REACT=18.2.0 EXPLORER=1.0.2   # the versions Strawberry 0.341.2's page uses
out=comptoir/static/graphiql/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "graphiql@$GRAPHIQL" "react@$REACT" "react-dom@$REACT" \
  "@graphiql/plugin-explorer@$EXPLORER" >/dev/null)
for tgz in "$work"/*.tgz; do
  mkdir -p "${tgz%.tgz}" && tar xzf "$tgz" -C "${tgz%.tgz}"
done
g="$work/graphiql-$GRAPHIQL/package" r="$work/react-$REACT/package"
d="$work/react-dom-$REACT/package" e="$work/graphiql-plugin-explorer-$EXPLORER/package"

rm -rf "$out" && mkdir -p "$out"
cp "$r/umd/react.production.min.js" "$out/react.production.min.js"
cp "$d/umd/react-dom.production.min.js" "$out/react-dom.production.min.js"
cp "$g/graphiql.min.js" "$out/graphiql.min.js"
cp "$g/graphiql.min.css" "$out/graphiql.min.css"
cp "$e/dist/index.umd.js" "$out/plugin-explorer.umd.js"
cp "$e/dist/style.css" "$out/plugin-explorer.css"
cp "$r/LICENSE" "$out/LICENSE.react"
cp "$d/LICENSE" "$out/LICENSE.react-dom"
cp "$g/LICENSE" "$out/LICENSE.graphiql"
# @graphiql/plugin-explorer's tarball has no LICENSE file: its package.json says MIT, from the
# same graphql/graphiql repository as graphiql, whose licence text applies.
{ echo "@graphiql/plugin-explorer $EXPLORER: \"license\": \"$(node -p "require('$e/package.json').license")\""
  echo "(graphql/graphiql repository; the same text as LICENSE.graphiql)"
  echo; cat "$g/LICENSE"; } > "$out/LICENSE.plugin-explorer"
# Stripped: a source map comment would make browsers fetch a .map file we do not ship.
sed -i -e 's|//# sourceMappingURL=.*$||' -e 's|/\*# sourceMappingURL=.*\*/||' "$out"/*.js "$out"/*.css
cat > "$out/VERSIONS" <<VERSIONS
graphiql $GRAPHIQL
react $REACT
react-dom $REACT
@graphiql/plugin-explorer $EXPLORER
VERSIONS
ls -l "$out"
