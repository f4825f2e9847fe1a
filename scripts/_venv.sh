# Shared by scripts/demo and scripts/test: make .venv if missing and install the package
# (with the given extras) when pyproject.toml changed since the last install.
# Usage: . scripts/_venv.sh [extras]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
extras="${1:-}"
py="${PYTHON:-}"
if [ -z "$py" ]; then
  for candidate in python3 python; do
    if command -v "$candidate" >/dev/null 2>&1; then py="$candidate"; break; fi
  done
fi
[ -n "$py" ] || { echo "python3 is required" >&2; exit 1; }
venv="$root/.venv"
if [ ! -x "$venv/bin/python" ]; then
  echo "creating $venv" >&2
  "$py" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip >&2
fi
target="."
[ -n "$extras" ] && target=".[$extras]"
stamp="$venv/.installed-${extras:-base}"
digest="$(cat "$root/pyproject.toml" | "$venv/bin/python" -c 'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')"
satisfied() { [ -f "$1" ] && [ "$(cat "$1")" = "$digest" ]; }
# An install with the test extras (a superset) serves the scripts that need none.
if satisfied "$stamp" || { [ -z "$extras" ] && satisfied "$venv/.installed-test"; }; then
  :
else
  echo "installing $target into $venv" >&2
  (cd "$root" && "$venv/bin/python" -m pip install --quiet -e "$target" >&2)
  echo "$digest" > "$stamp"
fi
export PATH="$venv/bin:$PATH"
