package testutil

import "testing"

// The hostile-input suites pass only if these checks can fail.
func TestInjectionProblemsCatches(t *testing.T) {
	for _, bad := range []string{
		"ok\n::stop-commands::x",
		"  ::add-mask::x",
		"see ##[add-mask]x",
		"a\x1b[31mred",
		"cr\r::warning::x",
	} {
		if InjectionProblems(bad, true) == nil {
			t.Errorf("not caught: %q", bad)
		}
	}
	if p := InjectionProblems("::warning file=a.go,line=1::found\nplain", true); p != nil {
		t.Errorf("own annotation refused: %v", p)
	}
	if InjectionProblems("::warning file=a.go::found", false) == nil {
		t.Error("an annotation was allowed where none may be")
	}
	if LiveMarkup("see [x](https://e)") == "" || LiveMarkup("see `[x](https://e)`") != "" {
		t.Error("LiveMarkup does not tell markup from code spans")
	}
}
