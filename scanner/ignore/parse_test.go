package ignore

import "testing"

func TestParseKeepsGitLineNumbers(t *testing.T) {
	l := Parse([]byte("\xef\xbb\xbf# c\n\n.env  \r\n!.env.example\n\\#x\nfoo\\ \n"), "", ".gitignore")
	want := []struct {
		line string
		no   int
	}{{".env", 3}, {"!.env.example", 4}, {"\\#x", 5}, {"foo\\ ", 6}}
	if len(l.patterns) != len(want) {
		t.Fatalf("got %d patterns, want %d", len(l.patterns), len(want))
	}
	for i, w := range want {
		if p := l.patterns[i]; p.line != w.line || p.lineNo != w.no {
			t.Errorf("pattern %d = %q:%d, want %q:%d", i, p.line, p.lineNo, w.line, w.no)
		}
	}
	if d, ok := l.Match("#x", false); !ok || !d.Ignored || d.Source != ".gitignore:5" {
		t.Errorf("escaped # did not match: %+v", d)
	}
	if d, _ := l.Match("foo ", false); !d.Ignored {
		t.Errorf("escaped trailing space did not match")
	}
}
