#!/usr/bin/env bash
# test-deb.sh - build the Debian package (CPack, Release, in build-deb/),
# check it with lintian (any error fails), install it with dpkg -i, check
# what it installed (oaiusage --version, man -w for both pages, the bash,
# zsh and fish completions where Debian's shells look for them, the
# examples, the copyright, the completion loading through bash-completion)
# and remove it with dpkg -r, always, also when a step fails. Run by CI
# (.ci/run); uses sudo when not root. Refuses to run when an oaiusage
# package is installed already (it would remove it).
#
# lintian (Debian 12's, 2.116) gives no error and no warning; what is left
# is at the info level, shown on each run and not fixed:
#   I: binary-has-unneeded-section .comment [usr/bin/oaiusage{,-mock}]
#      (CPack strips with plain `strip`, which keeps .comment; dh_strip
#      would remove it).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh --deb
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi

# Debian's hardening flags (dpkg-buildflags, as debhelper would pass them):
# fortified libc calls, stack protector, full RELRO with bindnow.
dir=build-deb
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
cflags="$(dpkg-buildflags --get CPPFLAGS) $(dpkg-buildflags --get CFLAGS)"
ldflags=$(dpkg-buildflags --get LDFLAGS)
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
    -DCMAKE_C_FLAGS="$cflags" -DCMAKE_EXE_LINKER_FLAGS="$ldflags" \
    -DOAIUSAGE_SANITIZE=OFF -DOAIUSAGE_FUZZ=OFF -DOAIUSAGE_TESTS=ON >/dev/null
cmake --build "$dir" -j "$(nproc)" >/dev/null
rm -f "$dir"/oaiusage_*.deb
(cd "$dir" && cpack -G DEB >/dev/null)
deb=$(ls "$dir"/oaiusage_*.deb)
echo "test-deb: built $deb" >&2
dpkg-deb --info "$deb" >&2
dpkg-deb --contents "$deb" >&2

# lintian: errors fail; warnings and the rest are shown.
lintian --info --display-info --fail-on error "$deb" >&2 || {
    echo "test-deb: lintian found errors" >&2
    exit 1
}

if dpkg-query -W -f='${Status}' oaiusage 2>/dev/null | grep -q "install ok installed"; then
    echo "test-deb: an oaiusage package is installed already; not replacing it" >&2
    exit 1
fi
installed=0
remove() {
    if [ "$installed" -eq 1 ]; then
        $sudo dpkg -r oaiusage >/dev/null || echo "test-deb: dpkg -r failed" >&2
    fi
}
trap remove EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

fail=0
check() { # check DESCRIPTION COMMAND...
    local what=$1
    shift
    if "$@"; then
        echo "ok: $what" >&2
    else
        echo "FAIL: $what" >&2
        fail=1
    fi
}

installed=1
$sudo dpkg -i "$deb" >&2
check "oaiusage --version" test "$(/usr/bin/oaiusage --version | head -n 1)" = \
    "oaiusage $(sed -nE 's/^project\(oaiusage VERSION ([0-9.]+).*/\1/p' CMakeLists.txt)"
check "oaiusage-mock --help" sh -c '/usr/bin/oaiusage-mock --help >/dev/null'
check "man -w oaiusage" test "$(man -w oaiusage)" = /usr/share/man/man1/oaiusage.1.gz
check "man -w oaiusage-mock" test "$(man -w oaiusage-mock)" = /usr/share/man/man1/oaiusage-mock.1.gz
check "man oaiusage renders" sh -c 'MANWIDTH=80 man oaiusage 2>&1 | grep -q "^EXIT STATUS"'
check "bash completion in place" test -s /usr/share/bash-completion/completions/oaiusage
check "zsh completion in place" test -s /usr/share/zsh/vendor-completions/_oaiusage
check "fish completion in place" test -s /usr/share/fish/vendor_completions.d/oaiusage.fish
check "bash-completion loads it" test "$(bash --norc -c \
    'source /usr/share/bash-completion/bash_completion; __load_completion oaiusage; complete -p oaiusage')" \
    = "complete -F _oaiusage oaiusage"
check "copyright" cmp -s LICENSE /usr/share/doc/oaiusage/copyright
check "changelog.gz" sh -c 'gzip -dc /usr/share/doc/oaiusage/changelog.gz | grep -q "^oaiusage ("'
check "examples" test -s /usr/share/doc/oaiusage/examples/systemd/oaiusage-sync.service

$sudo dpkg -r oaiusage >&2
installed=0
check "dpkg -r removed the binary" test ! -e /usr/bin/oaiusage
check "dpkg -r removed the man page" test ! -e /usr/share/man/man1/oaiusage.1.gz
[ "$fail" -eq 0 ] && echo "test-deb: all checks passed" >&2
exit "$fail"
