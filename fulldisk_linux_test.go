package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// fileLimitEnv, in the environment of a subprocess started by command,
// limits the size of any file it writes to that many bytes (RLIMIT_FSIZE):
// a write beyond fails as it would on a full disk.
const fileLimitEnv = "REASONOPS_TEST_FILE_LIMIT"

func init() {
	beforeMain = append(beforeMain, func() {
		if n, err := strconv.ParseUint(os.Getenv(fileLimitEnv), 10, 64); err == nil {
			syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: n, Max: n})
		}
	})
}

// TestReportWritesAtomically renders a report where every file written is
// limited to 512 bytes, as on a disk that fills up: the report fails with
// exit 1 and leaves each of the old report's files as it was, none empty
// or cut short, and no temporary file behind.
func TestReportWritesAtomically(t *testing.T) {
	dir, _, _ := smallStudy(t)
	if _, err := writeReport(dir); err != nil {
		t.Fatal(err)
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*.svg"))
	names = append(names, filepath.Join(dir, reportName))
	before := map[string][]byte{}
	for _, n := range names {
		before[n], _ = os.ReadFile(n)
	}
	cmd := command("report", "-out", dir)
	cmd.Env = append(cmd.Env, fileLimitEnv+"=512")
	out, err := cmd.CombinedOutput()
	if exitCode(err) != exitFailure || !strings.Contains(string(out), "cannot write the report") {
		t.Errorf("report on a full disk: %v, %q; want exit 1", err, out)
	}
	for _, n := range names {
		if after, _ := os.ReadFile(n); !bytes.Equal(after, before[n]) {
			t.Errorf("%s: %d bytes before, %d after a failed report", filepath.Base(n), len(before[n]), len(after))
		}
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*")); len(tmp) > 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
}

// TestFullDiskMidStudy: a study whose results file cannot grow (a full
// disk) fails with exit 1 and a message; its last append was cut short.
// The same command, run again, moves the torn tail aside and finishes with
// exactly the rows of an undisturbed study.
func TestFullDiskMidStudy(t *testing.T) {
	_, wholePath, whole := smallStudy(t)
	want := readRows(t, wholePath)
	lines := bytes.SplitAfter(whole, []byte("\n"))
	limit := len(lines[0]) + len(lines[1]) + 100 // the header and one row fit; the second row does not
	dir := t.TempDir()
	cmd := command(append(smallArgs, "-out", dir)...)
	cmd.Env = append(cmd.Env, fmt.Sprintf("%s=%d", fileLimitEnv, limit))
	out, err := cmd.CombinedOutput()
	if exitCode(err) != exitFailure || !strings.Contains(string(out), "cannot append to") {
		t.Fatalf("a study on a full disk: %v, %q; want exit 1", err, out)
	}
	msg := runCLI(t, append(smallArgs, "-out", dir)...)
	if !strings.Contains(msg, "was torn (") || !strings.Contains(msg, ".torn-") {
		t.Errorf("resume after a full disk: %q", msg)
	}
	if got := readRows(t, filepath.Join(dir, resultsName)); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("after a full disk and a resume the rows differ")
	}
}
