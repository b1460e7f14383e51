package hooks

import (
	"fmt"
	"strings"
)

// Script returns the pre-commit hook that runs the clayscan binary at
// binary (falling back to "clayscan" on PATH when that file is gone), after
// the chained user hook when chained is set.
//
// The script is POSIX sh, so it runs wherever git does (Git for Windows
// ships sh). It fails closed: any outcome of clayscan other than "no
// findings" blocks the commit.
func Script(binary string, chained bool) []byte {
	var b strings.Builder
	b.WriteString(`#!/bin/sh
` + marker + `
# Installed by "clayscan hook install"; remove it with "clayscan hook uninstall".
# Re-run "clayscan hook install" to update it rather than editing it.
#
# Blocks the commit when the staged changes add a Clay API credential, and
# when clayscan cannot run (it fails closed). To commit anyway, knowingly:
#     git commit --no-verify
`)
	if chained {
		b.WriteString(`
# Your own pre-commit hook, kept by "clayscan hook install --force", runs first.
chained="$(dirname -- "$0")/` + HookName + ChainedSuffix + `"
if [ -f "$chained" ] && [ -x "$chained" ]; then
	"$chained" "$@" || exit $?
fi
`)
	}
	fmt.Fprintf(&b, `
# clayscan is looked for at the path recorded at install time, then on PATH.
recorded=%s
clayscan="$recorded"
if [ ! -f "$clayscan" ] || [ ! -x "$clayscan" ]; then
	clayscan="$(command -v clayscan 2>/dev/null)"
fi
if [ -z "$clayscan" ]; then
	{
		echo "clayscan: commit blocked: the clayscan binary was not found"
		echo "  (not at $recorded, and not on PATH)."
		echo "  This hook fails closed so that a missing scanner never lets a key through."
		echo "  Install clayscan:   go install github.com/clayscan/clayscan/cmd/clayscan@latest"
		echo "  then, to record its path:  clayscan hook install"
		echo "  Or remove the hook: clayscan hook uninstall (with clayscan installed), or delete $0"
		echo "  To commit without the check, knowingly: git commit --no-verify"
	} >&2
	exit 1
fi

"$clayscan" staged
status=$?
case $status in
0)
	exit 0
	;;
1)
	{
		echo
		echo "clayscan: commit blocked: the staged changes add the credential(s) above."
		echo "  Remove them from the staged files (git restore --staged FILE, or edit and git add),"
		echo "  and rotate any real key: treat it as leaked."
		echo "  A false positive? Add an inline or .clayscanignore suppression (https://github.com/clayscan/clayscan/blob/main/docs/configuration.md)."
		echo "  To commit anyway, knowingly: git commit --no-verify"
	} >&2
	;;
*)
	{
		echo
		echo "clayscan: commit blocked: clayscan could not scan the staged changes (exit status $status)."
		echo "  The hook fails closed. Fix the error above, or commit knowingly with: git commit --no-verify"
	} >&2
	;;
esac
exit 1
`, shellQuote(binary))
	return []byte(b.String())
}

// shellQuote quotes s for POSIX sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
