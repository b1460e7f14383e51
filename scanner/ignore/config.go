package ignore

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	gitconfig "github.com/go-git/go-git/v5/plumbing/format/config"

	"github.com/clayscan/clayscan/internal/git"
)

// gitConfig is the little of git's configuration the matcher needs.
type gitConfig struct {
	excludes      string // core.excludesFile as written; "" when unset
	excludesIsSet bool
	ignoreCase    bool
}

// ExcludesFile returns the global excludes file git would use for the
// repository whose git directory is gitDir and work tree is root:
// core.excludesFile from the system, global, repository and
// GIT_CONFIG_COUNT configuration (last wins, "~/" expanded, relative paths
// taken from the work tree root, where git runs), or the XDG default.
func ExcludesFile(root, gitDir string) string {
	return readConfig(gitDir).excludesFile(root)
}

func (c gitConfig) excludesFile(root string) string {
	if !c.excludesIsSet {
		return DefaultExcludesFile()
	}
	p := c.excludes
	switch {
	case p == "":
		return ""
	case p == "~" || strings.HasPrefix(p, "~/"):
		h, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		p = filepath.Join(h, p[1:])
	case !filepath.IsAbs(p):
		p = filepath.Join(root, p)
	}
	return p
}

// configFiles lists the files git reads, lowest priority first.
func configFiles(gitDir string) []string {
	var files []string
	if !envBool("GIT_CONFIG_NOSYSTEM") {
		if f := os.Getenv("GIT_CONFIG_SYSTEM"); f != "" {
			files = append(files, f)
		} else {
			files = append(files, "/etc/gitconfig")
		}
	}
	if f := os.Getenv("GIT_CONFIG_GLOBAL"); f != "" {
		files = append(files, f)
	} else {
		xdg := os.Getenv("XDG_CONFIG_HOME")
		home, _ := os.UserHomeDir()
		if xdg == "" && home != "" {
			xdg = filepath.Join(home, ".config")
		}
		if xdg != "" {
			files = append(files, filepath.Join(xdg, "git", "config"))
		}
		if home != "" {
			files = append(files, filepath.Join(home, ".gitconfig"))
		}
	}
	if gitDir != "" {
		files = append(files, filepath.Join(git.CommonDir(gitDir), "config"))
	}
	return files
}

func envBool(name string) bool {
	v, err := strconv.ParseBool(os.Getenv(name))
	return err == nil && v
}

func readConfig(gitDir string) gitConfig {
	var c gitConfig
	for _, f := range configFiles(gitDir) {
		c.readFile(f, 0)
	}
	// git -c and GIT_CONFIG_COUNT settings come last.
	if n, err := strconv.Atoi(os.Getenv("GIT_CONFIG_COUNT")); err == nil {
		for i := 0; i < n; i++ {
			c.set(os.Getenv("GIT_CONFIG_KEY_"+strconv.Itoa(i)), os.Getenv("GIT_CONFIG_VALUE_"+strconv.Itoa(i)))
		}
	}
	return c
}

// readFile applies one config file and the files it includes
// (include.path; includeIf is not evaluated). A file that cannot be read
// or parsed is skipped: git would refuse to run on a broken config, and
// the scan does not depend on it.
func (c *gitConfig) readFile(file string, depth int) {
	if depth > 10 {
		return
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return
	}
	cfg := gitconfig.New()
	if err := gitconfig.NewDecoder(bytes.NewReader(data)).Decode(cfg); err != nil {
		return
	}
	for _, s := range cfg.Sections {
		for _, o := range s.Options {
			if s.IsName("include") && o.IsKey("path") {
				inc := o.Value
				if strings.HasPrefix(inc, "~/") {
					if h, err := os.UserHomeDir(); err == nil {
						inc = filepath.Join(h, inc[2:])
					}
				} else if !filepath.IsAbs(inc) {
					inc = filepath.Join(filepath.Dir(file), inc)
				}
				c.readFile(inc, depth+1)
				continue
			}
			c.set(s.Name+"."+o.Key, o.Value)
		}
	}
}

func (c *gitConfig) set(key, value string) {
	switch strings.ToLower(key) {
	case "core.excludesfile":
		c.excludes, c.excludesIsSet = value, true
	case "core.ignorecase":
		c.ignoreCase = parseBool(value)
	}
}

// parseBool reads a git boolean; a key without a value is true.
func parseBool(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "true", "yes", "on", "1":
		return true
	}
	n, err := strconv.Atoi(v)
	return err == nil && n != 0
}
