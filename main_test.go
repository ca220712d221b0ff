package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test run the real command line in a subprocess: when
// REASONOPS_TEST_ARGS is set, the test binary behaves as the reasonops
// binary with those arguments (separated by newlines) instead of running
// tests.
func TestMain(m *testing.M) {
	if args := os.Getenv("REASONOPS_TEST_ARGS"); args != "" {
		os.Args = append([]string{"reasonops"}, strings.Split(args, "\n")...)
		main()
		return
	}
	os.Exit(m.Run())
}

// command returns the test binary set up to run as reasonops with args.
func command(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "REASONOPS_TEST_ARGS="+strings.Join(args, "\n"))
	return cmd
}

// cliArgs are the flags of a small real study run through the command
// line: 12 fast experiments with very short trials.
var cliArgs = []string{"-quick", "-grid-steps", "10", "-long-steps", "20",
	"-tasks", "elementwise_add,logical_or,dot", "-datasets", "many_hot,one_hot", "-networks", "dense-1-linear,multiply_simple"}

// runCLI runs the command line in this process and fails on a non-zero exit.
func runCLI(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("%v: exit %d: %s", args, code, stderr.String())
	}
	return stderr.String()
}

// expectUsageError runs the command line with args in this process and
// fails unless it exits 2 with exactly one line on stderr containing want.
func expectUsageError(t *testing.T, args []string, want string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	msg := stderr.String()
	if code != exitUsage || !strings.Contains(msg, want) || strings.Count(msg, "\n") != 1 {
		t.Errorf("%v: exit %d, stderr %q; want exit 2 and one line containing %q", args, code, msg, want)
	}
}

// TestCommandLineErrors runs the command with bad input: each gets one line
// on stderr naming the problem (and the valid choices where there is a
// list), exit status 2, and no results file is created or changed.
func TestCommandLineErrors(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir) // the default -out is ./results; it must not appear here
	notAFolder := filepath.Join(dir, "file")
	os.WriteFile(notAFolder, []byte("x"), 0o644)
	other := filepath.Join(dir, "other")
	os.MkdirAll(other, 0o755)
	otherRow := Row{Task: "dot", Dataset: "random", NetworkType: "dense", NetworkDepth: 1, NetworkActivation: "linear",
		Network: "dense-1-linear", Seed: 1, Protocol: "reasonops-0;grid=5"}
	otherFile := append(encodeRow(resultsHeader), encodeRow(otherRow.fields())...)
	os.WriteFile(filepath.Join(other, "results.csv"), otherFile, 0o644)
	cases := []struct {
		args []string
		want string // a part of the message
	}{
		{[]string{"-tasks", "sum"}, `unknown task "sum" (valid: reduce_sum, reduce_max`},
		{[]string{"-datasets", "onehot"}, `unknown dataset "onehot" (valid: one_hot, many_hot, random, random_pos)`},
		{[]string{"-networks", "dense-4-relu"}, `unknown network "dense-4-relu" (valid: dense-1-linear`},
		{[]string{"-tasks", "dot,,concat"}, `malformed list`},
		{[]string{"-networks", "multiply,"}, `malformed list`},
		{[]string{"-workers", "two"}, `invalid value "two" for flag -workers`},
		{[]string{"-workers", "0"}, `-workers must be at least 1`},
		{[]string{"-seeds", "0"}, `-seeds must be at least 1`},
		{[]string{"-seed", "-3"}, `invalid value "-3" for flag -seed`},
		{[]string{"-grid-steps", "0"}, `-grid-steps must be at least 1`},
		{[]string{"-long-steps", "-5"}, `-long-steps must be 0`},
		{[]string{"-bogus"}, `flag provided but not defined: -bogus`},
		{[]string{"frobnicate"}, `unknown command "frobnicate" (valid: list`},
		{[]string{"-tasks", "dot", "-out", notAFolder}, `cannot create the output folder`},
		{[]string{"-tasks", "dot", "-out", other}, `holds results of another protocol`},
	}
	for _, c := range cases {
		expectUsageError(t, c.args, c.want)
	}
	if data, _ := os.ReadFile(filepath.Join(other, "results.csv")); !bytes.Equal(data, otherFile) {
		t.Error("a results file of another protocol was modified")
	}
	if _, err := os.Stat("results"); err == nil {
		t.Error("a bad command created the default results folder")
	}
}

// TestListCountsExperiments checks `list` against the protocol's arithmetic:
// 33 kept pairs x 27 networks = 891; with -all 48 x 27 = 1,296; flags narrow it.
func TestListCountsExperiments(t *testing.T) {
	for _, c := range []struct {
		args []string
		last string
	}{
		{[]string{"list"}, "891 experiments"},
		{[]string{"list", "-all"}, "1296 experiments"},
		{[]string{"-seeds", "3", "list"}, "2673 experiments"},
		{[]string{"list", "-tasks", "one_hot_sum"}, "27 experiments"},
		{[]string{"list", "-tasks", "one_hot_sum", "-all"}, "108 experiments"},
		{[]string{"list", "-datasets", "random", "-networks", "multiply,multiply_simple"}, "12 experiments"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), c.args, &stdout, &stderr); code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, stderr.String())
		}
		lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
		if got := lines[len(lines)-1]; got != c.last {
			t.Errorf("%v: last line %q, want %q", c.args, got, c.last)
		}
	}
}

// TestHelp checks -h prints the usage with examples and exits 0.
func TestHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"-h"}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "Examples:") {
		t.Fatalf("-h: exit %d, %q", code, stdout.String())
	}
}

// TestInterruptStopsCleanly sends SIGINT (Ctrl-C) to a running study: it
// exits with status 130, says how to continue, and what it saved is intact.
func TestInterruptStopsCleanly(t *testing.T) {
	dir := t.TempDir()
	cmd := command(append([]string{"-out", dir}, tortureArgs...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(400 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if err == nil {
		t.Skip("the run finished before the interrupt")
	}
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitInterrupted {
		t.Fatalf("exit %v, want %d: %s", err, exitInterrupted, stderr.String())
	}
	if !strings.Contains(stderr.String(), "run the same command to continue") {
		t.Fatalf("stderr %q", stderr.String())
	}
	readRows(t, filepath.Join(dir, "results.csv")) // parses, no torn line, no duplicates
}

// TestRunLogCountsRunsThatAddedRows runs a small study twice: the first run
// logs one line in runs.jsonl; the second finds everything done and logs
// nothing, so re-running a finished study leaves its report unchanged.
func TestRunLogCountsRunsThatAddedRows(t *testing.T) {
	dir := t.TempDir()
	for range 2 {
		runCLI(t, append([]string{"-out", dir}, cliArgs...)...)
	}
	data, err := os.ReadFile(filepath.Join(dir, runsLogName))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), "\n"); n != 1 {
		t.Errorf("runs.jsonl has %d lines after a run and a re-run with nothing to do, want 1:\n%s", n, data)
	}
}

// TestEstimate runs the estimate command on a small selection: it runs the
// fixed sample (every 5th of 12 experiments: the 3rd and 8th) and prints a
// projection for all 12.
func TestEstimate(t *testing.T) {
	var stdout, stderr bytes.Buffer
	args := append([]string{"estimate", "-every", "5"}, cliArgs...)
	if code := run(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
	if !strings.Contains(out, "sample: 2 experiments") || !strings.Contains(out, "projected: 12 experiments on") {
		t.Fatalf("estimate printed %q", out)
	}
}

// TestProgressLine checks the progress line's parts and the ETA arithmetic:
// 4 of 10 experiments done in this run (2 more were already in the file) in
// 40 s leaves 4 to do at 10 s each.
func TestProgressLine(t *testing.T) {
	row := Row{Task: "dot", Dataset: "random", Network: "multiply", AccuracyPct: "99.0%", LR: 0.01, GlobalStep: 700}
	p := Progress{Done: 6, Total: 10, Skipped: 2, Successes: 3, Elapsed: 40 * time.Second, Last: &row}
	if eta := p.ETA(); eta != 40*time.Second {
		t.Fatalf("ETA %v, want 40s", eta)
	}
	want := "[6/10] 3 successes, 0:00:40 elapsed, ETA 0:00:40 | dot random multiply: 99.0% (lr 0.01, 700 steps)"
	if got := progressLine(p); got != want {
		t.Fatalf("progress line\n%q\nwant\n%q", got, want)
	}
	if isTerminal(&bytes.Buffer{}) {
		t.Fatal("a buffer is not a terminal: progress must be plain lines there")
	}
}

// TestSIMDHint: the default build on a CPU with AVX-512, or AVX2 and FMA,
// says how to run faster with the user's own arguments; nothing is said in
// the SIMD build, on other CPUs, or on other architectures.
func TestSIMDHint(t *testing.T) {
	avx512 := map[string]bool{"avx2": true, "fma": true, "avx512f": true}
	avx2 := map[string]bool{"avx2": true, "fma": true}
	args := []string{"-out", "mine", "-tasks", "dot", "-networks", "it's"}
	got := simdHint(args, "go1.26.8", "amd64", "plain Go", avx512)
	want := "reasonops: this is the default build (plain Go kernels); this CPU has AVX-512, so the SIMD build runs the study " +
		simdSpeedup + ` faster: GOEXPERIMENT=simd go run . -out mine -tasks dot -networks 'it'\''s'`
	if got != want {
		t.Errorf("hint\n%s\nwant\n%s", got, want)
	}
	if got := simdHint(nil, "go1.26.8", "amd64", "plain Go", avx2); !strings.Contains(got, "has AVX2 and FMA") || !strings.HasSuffix(got, ": GOEXPERIMENT=simd go run .") {
		t.Errorf("AVX2 hint: %q", got)
	}
	for _, c := range []struct {
		version, arch, kernel string
		flags                 map[string]bool
	}{
		{"go1.26.8 X:simd", "amd64", "AVX-512 (simd/archsimd)", avx512}, // the SIMD build
		{"go1.26.8 X:simd", "amd64", "plain Go", map[string]bool{"avx": true}},
		{"go1.26.8", "amd64", "plain Go", map[string]bool{"avx2": true}}, // AVX2 without FMA
		{"go1.26.8", "arm64", "plain Go", avx512},
	} {
		if got := simdHint(args, c.version, c.arch, c.kernel, c.flags); got != "" {
			t.Errorf("%v: hint %q, want none", c, got)
		}
	}
	// The line on a real study in this build, on this CPU.
	msg := runCLI(t, "-quick", "-grid-steps", "2", "-long-steps", "0", "-tasks", "dot", "-datasets", "many_hot", "-networks", "multiply_simple", "-out", t.TempDir())
	if wantLine := simdHint(nil, runtime.Version(), runtime.GOARCH, kernelName, cpuFlags()); (wantLine != "") != strings.Contains(msg, "GOEXPERIMENT=simd go run . -quick") {
		t.Errorf("study output %q, hint expected: %v", msg, wantLine != "")
	}
}
