// Command benchrun runs one command and prints what it cost: wall time,
// CPU time (user+sys, its children included), peak RSS, and the peaks of
// RssAnon and RssFile sampled from /proc/PID/status (summed over the
// process and its descendants). RssFile is mostly a mapped pack's pages,
// which the kernel can drop at will; RssAnon is the memory the process
// itself holds. Used by scripts/bench-history.sh (issue 14); Linux only.
//
//	benchrun [-stdout FILE] [-every 20ms] -- COMMAND [ARG...]
//
// It prints one line: wall_s cpu_s maxrss_mib anon_mib file_mib exit_code.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	stdout := flag.String("stdout", "/dev/null", "where the command's standard output goes")
	every := flag.Duration("every", 20*time.Millisecond, "sampling interval")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: benchrun [-stdout FILE] -- COMMAND [ARG...]")
		os.Exit(2)
	}
	out, err := os.Create(*stdout)
	if err != nil {
		fmt.Fprintf(os.Stderr, "benchrun: %v\n", err)
		os.Exit(2)
	}
	defer out.Close()
	cmd := exec.Command(flag.Arg(0), flag.Args()[1:]...)
	cmd.Stdout, cmd.Stderr, cmd.Stdin = out, os.Stderr, nil
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "benchrun: %v\n", err)
		os.Exit(2)
	}
	done := make(chan struct{})
	peaks := make(chan [2]int64)
	go sample(cmd.Process.Pid, *every, done, peaks)
	werr := cmd.Wait()
	wall := time.Since(start)
	close(done)
	p := <-peaks
	code := 0
	if werr != nil {
		if ee, ok := werr.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else {
			code = -1
		}
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var cpu float64
	var maxrss int64
	if ru != nil {
		cpu = tv(ru.Utime) + tv(ru.Stime)
		maxrss = ru.Maxrss // KiB on Linux
	}
	fmt.Printf("%.2f %.2f %.0f %.0f %.0f %d\n", wall.Seconds(), cpu, float64(maxrss)/1024,
		float64(p[0])/1024, float64(p[1])/1024, code)
}

func tv(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }

// sample records the peak RssAnon and RssFile (KiB) of pid and its
// descendants until done is closed. Descendants are looked up every tenth
// sample: the commands measured start their children early and keep them.
func sample(pid int, every time.Duration, done <-chan struct{}, peaks chan<- [2]int64) {
	var anon, file int64
	pids := []int{pid}
	t := time.NewTicker(every)
	defer t.Stop()
	for n := 0; ; n++ {
		select {
		case <-done:
			peaks <- [2]int64{anon, file}
			return
		case <-t.C:
		}
		if n%10 == 0 {
			pids = tree(pid)
		}
		var a, f int64
		for _, p := range pids {
			pa, pf := status(p)
			a += pa
			f += pf
		}
		anon, file = max(anon, a), max(file, f)
	}
}

// status reads RssAnon and RssFile (KiB) from /proc/PID/status.
func status(pid int) (anon, file int64) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		switch k {
		case "RssAnon", "RssFile":
			f := strings.Fields(v)
			if len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				if k == "RssAnon" {
					anon = n
				} else {
					file = n
				}
			}
		}
	}
	return anon, file
}

// tree returns pid and its descendants, from the parent ids in /proc/*/stat.
func tree(root int) []int {
	children := map[int][]int{}
	ents, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, e := range ents {
		b, err := os.ReadFile(e)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces and parentheses.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 2 {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(e)))
		ppid, _ := strconv.Atoi(f[1])
		children[ppid] = append(children[ppid], pid)
	}
	out := []int{root}
	for i := 0; i < len(out); i++ {
		out = append(out, children[out[i]]...)
	}
	return out
}
