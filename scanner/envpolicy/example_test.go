package envpolicy_test

import (
	"fmt"

	"github.com/clayscan/clayscan/scanner/envpolicy"
	"github.com/clayscan/clayscan/scanner/ignore"
)

func ExamplePolicy_MissingPatterns() {
	pol := envpolicy.Default()
	root := ignore.Parse([]byte("node_modules/\n.env\n"), "", ".gitignore")
	if f, ok := pol.MissingPatterns(root); ok {
		fmt.Println(f.RuleID, f.Severity)
		fmt.Println(f.Guidance)
	}
	// Output:
	// gitignore-missing-env-patterns low
	// Add these lines to the root .gitignore:
	//   .env.local
	//   .env.*.local
	// and keep templates such as .env.example committed with placeholder values (add !.env.example if a broader pattern hides it).
}

func ExamplePolicy_Applies() {
	pol := envpolicy.Default()
	for _, p := range []string{".env", "svc/.env.production", "config/app.env", ".env.example", ".envrc"} {
		fmt.Println(p, pol.Applies(p))
	}
	// Output:
	// .env true
	// svc/.env.production true
	// config/app.env true
	// .env.example false
	// .envrc false
}
