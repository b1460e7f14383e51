package escape

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestPath(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"src/app.env", "src/app.env"},
		{"", ""},
		{"dir with space/ü.txt", "dir with space/ü.txt"},
		{"a\nb", `"a\nb"`},
		{"x\n::stop-commands::pwned", `"x\n::stop-commands::pwned"`},
		{"::add-mask::x", `"::add-mask::x"`},
		{"  ::error::x", `"  ::error::x"`},
		{"a::b", "a::b"},
		{"##[add-mask]x", `"##\133add-mask]x"`},
		{"a\x1b]8;;https://evil\x1b\\link", `"a\033]8;;https://evil\033\\link"`},
		{"a\x1b[31mred", `"a\033[31mred"`},
		{"q\"uote", `"q\"uote"`},
		{`back\slash`, `"back\\slash"`},
		{"tab\there", `"tab\there"`},
		{"cr\rx", `"cr\rx"`},
		{"del\x7f", `"del\177"`},
		{"bad\xffutf8", `"bad\377utf8"`},
		{"rtl\u202egnp.exe", `"rtl\342\200\256gnp.exe"`},
		{"c1\u009b31m", `"c1\302\23331m"`},
		{"nbsp\u00a0::x", `"nbsp\302\240::x"`},
	} {
		if got := Path(tc.in); got != tc.want {
			t.Errorf("Path(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Alice Example", "Alice Example"},
		{`C:\dir "x"`, `C:\dir "x"`},
		{"fix\n::stop-commands::tok", `fix\n::stop-commands::tok`},
		{"::warning::x", `\072:warning::x`},
		{"see ##[error]x", `see ##\133error]x`},
		{"\x1b]8;;http://e\x07x", `\033]8;;http://e\ax`},
	} {
		if got := Text(tc.in); got != tc.want {
			t.Errorf("Text(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// noLineBreaks checks the property every text escape promises: one line,
// no control byte, no workflow command.
func noLineBreaks(t *testing.T, fn, in, out string) {
	t.Helper()
	for i := 0; i < len(out); i++ {
		if c := out[i]; c < 0x20 || c == 0x7f {
			t.Fatalf("%s(%q) = %q holds control byte %#x", fn, in, out, c)
		}
	}
	if strings.HasPrefix(strings.TrimLeft(out, " "), "::") || strings.Contains(out, "##[") {
		t.Fatalf("%s(%q) = %q reads as a workflow command", fn, in, out)
	}
}

func TestWorkflow(t *testing.T) {
	if got, want := WorkflowData("50%\r\nx"), "50%25%0D%0Ax"; got != want {
		t.Errorf("WorkflowData = %q, want %q", got, want)
	}
	if got, want := WorkflowProperty("a:b,c%\n"), "a%3Ab%2Cc%25%0A"; got != want {
		t.Errorf("WorkflowProperty = %q, want %q", got, want)
	}
}

func TestMarkdownCode(t *testing.T) {
	for _, tc := range []struct {
		in      string
		table   bool
		want    string
		wantOut string
	}{
		{"a.env", true, "`a.env`", ""},
		{"[x](https://evil)", false, "`[x](https://evil)`", ""},
		{"a|b", true, "`a\\|b`", ""},
		{"a`b", false, "``a`b``", ""},
		{"`x", false, "`` `x ``", ""},
		{"<img src=x>\nnext", true, "`<img src=x>\\nnext`", ""},
		{"", true, "", ""},
	} {
		if got := MarkdownCode(tc.in, tc.table); got != tc.want {
			t.Errorf("MarkdownCode(%q, %v) = %s, want %s", tc.in, tc.table, got, tc.want)
		}
	}
}

func TestMarkdownText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"[click](https://www.evil.com) <b>*x*</b> a|b\n# h", `\[click\](https\://www\.evil.com) \<b\>\*x\*\</b\> a\|b\\n# h`},
		{"1. Rotate it: now.", "1. Rotate it: now."},
		{"mail a@b.co or WWW.x.y &amp; ![i](x)", `mail a\@b.co or WWW\.x.y \&amp; \!\[i\](x)`},
	} {
		if got := MarkdownText(tc.in); got != tc.want {
			t.Errorf("MarkdownText(%q) = %s\nwant %s", tc.in, got, tc.want)
		}
	}
}

func TestSARIFText(t *testing.T) {
	if got, want := SARIFText(`see [docs](http://e) a\b`+"\n"), `see \[docs\](http://e) a\\b\\n`; got != want {
		t.Errorf("SARIFText = %s, want %s", got, want)
	}
}

func FuzzEscape(f *testing.F) {
	for _, s := range []string{"a\nb", "::x::y", "##[x]", "\x1b[1m", "\xff", "\u202e", "`|`", "  ::", "#"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		noLineBreaks(t, "Path", s, Path(s))
		noLineBreaks(t, "Text", s, Text(s))
		md := MarkdownCode(s, true)
		noLineBreaks(t, "MarkdownCode", s, md)
		noLineBreaks(t, "MarkdownText", s, MarkdownText(s))
		noLineBreaks(t, "SARIFText", s, SARIFText(s))
		for _, out := range []string{WorkflowData(Text(s)), WorkflowProperty(s)} {
			if strings.ContainsAny(out, "\r\n") {
				t.Fatalf("workflow escape of %q = %q holds a line break", s, out)
			}
		}
		if p := WorkflowProperty(s); strings.ContainsAny(p, ":,") {
			t.Fatalf("WorkflowProperty(%q) = %q holds a delimiter", s, p)
		}
		if q := Path(s); q != s && (len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"') {
			t.Fatalf("Path(%q) = %q changed without quoting", s, q)
		}
	})
}

func TestJSON(t *testing.T) {
	in := map[string]string{"p": "see ##[add-mask]x \u202e\u009b\x7f ü 😀 \x1b"}
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	out := JSON(raw)
	if strings.Contains(string(out), "##[") || strings.ContainsAny(string(out), "\u202e\u009b\x7f\x1b") {
		t.Errorf("JSON left a hazard: %s", out)
	}
	if !strings.Contains(string(out), "ü 😀") {
		t.Errorf("JSON escaped printable text: %s", out)
	}
	var back map[string]string
	if err := json.Unmarshal(out, &back); err != nil || back["p"] != in["p"] {
		t.Errorf("JSON changed the value: %q, %v", back["p"], err)
	}
}

func FuzzJSON(f *testing.F) {
	f.Add("##[x]\u202e\U0001F600\x7f\xff")
	f.Fuzz(func(t *testing.T, s string) {
		raw, _ := json.Marshal([]string{s, "k"})
		out := JSON(raw)
		var back []string
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("JSON(%s) = %s does not parse: %v", raw, out, err)
		}
		var want []string
		_ = json.Unmarshal(raw, &want)
		if back[0] != want[0] {
			t.Fatalf("JSON changed %q to %q", want[0], back[0])
		}
		if strings.Contains(string(out), "##[") {
			t.Fatalf("JSON(%s) = %s holds ##[", raw, out)
		}
	})
}
