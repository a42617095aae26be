#!/usr/bin/env bash
# Build Trigger's front-end assets into trigger/static/ from GOV.UK Frontend.
#
# The built files are committed, so the Python app needs no Node at run time or
# in CI; run this only after changing frontend/src/ or upgrading govuk-frontend.
# Usage: frontend/build.sh   (from anywhere; installs exact versions with npm ci)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
static="$here/../trigger/static"
cd "$here"

if [[ ! -d node_modules/govuk-frontend || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi

mkdir -p "$static/css" "$static/js"

# trigger.scss loads GOV.UK Frontend as a Sass module (@use), so nothing here
# uses the deprecated @import. --quiet-deps hides any warning from inside
# govuk-frontend's own Sass; our versions are pinned, so those are noise.
npx sass --no-source-map --style=compressed --load-path=node_modules \
  --quiet-deps \
  src/trigger.scss "$static/css/trigger.css"

# GOV.UK Frontend's JavaScript is an ES module; init.js imports it. Drop the
# source-map comment: we do not ship the map, and browsers would ask for it.
sed -e '/^\/\/# sourceMappingURL=/d' -e 's|//# sourceMappingURL=[^ ]*$||' \
  node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js > "$static/js/govuk-frontend.min.js"

# Trigger is not a GOV.UK service: fail the build if GOV.UK-only branding leaks in.
css="$static/css/trigger.css"
fail=0
if grep -qi "GDS Transport" "$css"; then echo "build.sh: 'GDS Transport' found in $css" >&2; fail=1; fi
if grep -qi "@font-face" "$css"; then echo "build.sh: unexpected @font-face in $css" >&2; fail=1; fi
if grep -qi "crest" "$css"; then echo "build.sh: royal crest referenced in $css" >&2; fail=1; fi
# The footer component keeps one margin-only selector, .govuk-footer__crown, for
# markup we never output. Anything else mentioning the crown is a failure.
if grep -oi '[^{}]*crown[^{}]*' "$css" | grep -qv '^\.govuk-footer__crown$'; then
  echo "build.sh: crown referenced in $css" >&2; fail=1
fi
# Every url() in the CSS must be a file we ship (GOV.UK's images are not copied).
while IFS= read -r ref; do
  [[ $ref == data:* ]] && continue
  [[ -f "$static/css/$ref" ]] || { echo "build.sh: $css refers to $ref, which is not in trigger/static/" >&2; fail=1; }
done < <(grep -o 'url([^)]*)' "$css" | sed -e 's/^url(//' -e 's/)$//' -e 's/^["'"'"']//' -e 's/["'"'"']$//' | sort -u)
exit "$fail"
