package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets testscript run the real clayscan binary as "clayscan".
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"clayscan": func() { os.Exit(mainCode()) },
	})
}

// TestScripts runs the end-to-end scripts in testdata/script: real git
// repositories built in a temp dir, the real binary, exit codes and output.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "../../testdata/script",
		RequireExplicitExec: true,
		Setup:               scriptSetup,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"expand":      cmdExpand,
			"zerotrailer": cmdZeroTrailer,
		},
	})
}

// Fake credentials are assembled here, at test time, so the repository
// itself never holds a key-shaped string. Scripts use them as $SK_LIVE and
// friends, and "expand FILE…" substitutes them into files.
func fakeKeys() map[string]string {
	const rnd = "Xq7Lm2Pz9Rt4Vw8Nb3Kd6Hs1"
	return map[string]string{
		"SK_LIVE":      "sk_" + "live_" + rnd,
		"SK_LIVE2":     "sk_" + "live_" + "Jf5Tg8Yh2Ku4Io7Pl1Zx3Cv6",
		"CLAY_ENT":     "clay_" + "ent_" + "Ab3De6Gh9Jk2Mn5Pq8St1Vw4",
		"GENERIC_KEY":  "q8Z" + "r2Xk9Lp4Tm7Wv3Nb6",
		"WEBHOOK_AUTH": "9f3a" + "7c21e8b4d6f05a9c",
		"WEBHOOK_URL":  "https://api.clay.com/v3/sources/webhook/" + "pull-in-data-from-a-webhook-" + "3f9c2a7e-5b1d-4c8e-9a6f-2d7b0e4c1a95",
	}
}

func scriptSetup(env *testscript.Env) error {
	for k, v := range fakeKeys() {
		env.Setenv(k, v)
	}
	home := env.WorkDir + "/.home"
	if err := os.MkdirAll(home, 0o755); err != nil {
		return err
	}
	for k, v := range map[string]string{
		"HOME": home, "XDG_CONFIG_HOME": home + "/.config", "NO_COLOR": "1",
		"GIT_AUTHOR_NAME": "Ada Lovelace", "GIT_AUTHOR_EMAIL": "ada@example.com",
		"GIT_COMMITTER_NAME": "Ada Lovelace", "GIT_COMMITTER_EMAIL": "ada@example.com",
		"GIT_AUTHOR_DATE": "2024-01-02T03:04:05Z", "GIT_COMMITTER_DATE": "2024-01-02T03:04:05Z",
		"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": home + "/.gitconfig",
	} {
		env.Setenv(k, v)
	}
	return os.WriteFile(home+"/.gitconfig", []byte("[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n"), 0o644)
}

// cmdExpand replaces ${VAR} in the named files with the script's
// environment, so fixtures can hold fake keys built at test time.
func cmdExpand(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: expand FILE...")
	}
	for _, f := range args {
		data := ts.ReadFile(f)
		out := os.Expand(data, func(k string) string {
			if v := ts.Getenv(k); v != "" {
				return v
			}
			return "${" + k + "}" // leave references such as ${CLAY_API_KEY} alone
		})
		if err := os.WriteFile(ts.MkAbs(f), []byte(out), 0o644); err != nil {
			ts.Fatalf("expand %s: %v", f, err)
		}
	}
}

// cmdZeroTrailer zeroes the 20-byte checksum at the end of an index file:
// the bytes git >= 2.40 writes with index.skipHash, which git 2.39 (the CI
// machine's) cannot write itself.
func cmdZeroTrailer(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: zerotrailer FILE")
	}
	data := []byte(ts.ReadFile(args[0]))
	if len(data) < 20 {
		ts.Fatalf("zerotrailer %s: too short", args[0])
	}
	clear(data[len(data)-20:])
	if err := os.WriteFile(ts.MkAbs(args[0]), data, 0o644); err != nil {
		ts.Fatalf("zerotrailer %s: %v", args[0], err)
	}
}
