package ignore

import (
	"testing"

	"github.com/clayscan/clayscan/internal/git"
)

// forRepo opens the repository at root and returns its matcher.
func forRepo(t *testing.T, root string) *Matcher {
	t.Helper()
	repo, err := git.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	m, err := ForRepo(repo)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
