#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter (Rasa 3.6 needs 3.8-3.10), or fails clearly.
candidates=("${PYTHON:-}" python3.10)
if command -v pyenv >/dev/null 2>&1; then
  prefix=$(pyenv prefix 3.10 2>/dev/null | head -n1) && candidates+=("$prefix/bin/python")
fi
candidates+=("$HOME"/.pyenv/versions/3.10*/bin/python /usr/local/bin/python3.10 /usr/bin/python3.10 python3)
for cand in "${candidates[@]}"; do
  [ -n "$cand" ] || continue
  path=$(command -v "$cand" 2>/dev/null) || continue
  if "$path" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' 2>/dev/null; then
    echo "$path"
    exit 0
  fi
done
echo "error: Python 3.10 not found. Rasa 3.6 needs Python 3.10 here: install it (e.g. 'pyenv install 3.10') or set PYTHON=/path/to/python3.10." >&2
exit 1
