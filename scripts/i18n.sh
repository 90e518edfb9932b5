#!/usr/bin/env bash
# Translations: `scripts/i18n.sh update` extracts every msgid and merges it into the Vietnamese
# catalogue; `scripts/i18n.sh compile` builds the .mo files (setup does this).
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL=.venv/bin/pybabel
case "${1:-update}" in
  update)
    $PYBABEL extract -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 --no-location \
      --sort-output --width 100 -o translations/messages.pot .
    if [ -f translations/vi/LC_MESSAGES/messages.po ]; then
      $PYBABEL update --no-fuzzy-matching --ignore-obsolete --width 100 -i translations/messages.pot -d translations -l vi
    else
      $PYBABEL init -i translations/messages.pot -d translations -l vi
    fi
    ;;
  compile)
    $PYBABEL compile -f -d translations
    ;;
  *)
    echo "usage: scripts/i18n.sh update|compile" >&2
    exit 2
    ;;
esac
