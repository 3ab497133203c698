# Sourced by the scripts: a usable HOME and Go on PATH even in a bare environment.
export HOME="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
if ! command -v go >/dev/null && [[ -x /usr/local/go/bin/go ]]; then
	export PATH="/usr/local/go/bin:$PATH"
fi
TOX=(.venv/bin/python -m tox)
