// report.go: the study's report, made from the results file alone: the
// entry point, the results loaded and checked for it, and what the report's
// other files share. The report is split by concern: report_claims.go
// (counting and the article's claims), report_baselines.go (the trivial
// baselines), report_markdown.go (report.md), report_svg.go (the charts),
// report_units.go (the units beyond the article, and extrapolation) and
// report_replay.go (the 2018 replay against the fixed protocol). None of
// them knows how a network trains.
//
// writeReport reads DIR/results.csv (and DIR/runs.jsonl, the log of the
// study's invocations, when there is one) and writes DIR/report.md with the
// SVG charts it embeds: a summary per network (summary.svg), a task x
// network heat map per dataset (heatmap-DATASET.svg), the trivial
// baselines, a verdict on each of the article's eight claims under rules
// fixed in code, the spread over seeds, and how this run
// differs from the original. Apart from those two files it reads only the
// deterministic data generators (the baselines regenerate each test set
// from its seed and sizes), so one results file always gives one report.
//
// The report's word, in its text and so in the comments of report*.go: a
// run is one row, one experiment (a (task, dataset, network) cell) with one
// seed. Elsewhere in the code "run" means an invocation of the study. A run
// succeeds by Row.succeeded: no error and test accuracy at least the
// protocol's target (0.99); a row with an error counts as a failed run with
// accuracy 0 (Row.testAccuracy). Only runs of the analysed (task, dataset)
// pairs count; rows of excluded pairs (run with -all) are counted and
// otherwise left out.
package main

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Files the report reads and writes in its folder.
const (
	reportName     = "report.md"
	summarySVGName = "summary.svg"
)

// heatmapName returns the file name of dataset's heat map.
func heatmapName(dataset string) string { return "heatmap-" + dataset + ".svg" }

// writeReport reads DIR/results.csv (and DIR/runs.jsonl if present) and
// writes DIR/report.md and the SVG files it embeds into DIR. It returns the
// path of report.md. Its errors are one line each.
func writeReport(dir string) (string, error) {
	rep, err := makeReport(dir)
	return rep.path, err
}

// reportMade says what makeReport did: the report's path, and what it left
// out of the results file (a torn last line's bytes, rows repeating an
// experiment's result).
type reportMade struct {
	path, results string
	torn, repeats int
}

// reportWriteError is a report that could not be written (a full disk,
// say), as opposed to a results file that cannot be reported on.
type reportWriteError struct{ err error }

// Error returns the one-line message.
func (e reportWriteError) Error() string { return "cannot write the report: " + e.err.Error() }

// makeReport does writeReport's work. Every file is written whole to a
// temporary file and renamed over the old one (writeFileAtomic), so that a
// failed write (a full disk, say) leaves the old file as it was, never
// empty or cut short; its error is then a reportWriteError.
func makeReport(dir string) (reportMade, error) {
	s, err := loadStudy(dir)
	if err != nil {
		return reportMade{}, err
	}
	type file struct{ name, text string }
	files := []file{{summarySVGName, summaryChartSVG(summarize(s), s.target)}}
	ran := map[string]bool{}
	for _, r := range s.analysed {
		ran[r.Dataset] = true
	}
	for _, d := range datasetNames {
		if ran[d] { // a dataset not run gets no map (the report says so)
			files = append(files, file{heatmapName(d), heatmapSVG(s, d)})
		}
	}
	if len(unitNetworks(s.analysed)) > 0 { // the units section links them (report_units.go)
		for _, m := range extrapolationMaps(s) {
			files = append(files, file{m[0], m[1]})
		}
	}
	files = append(files, file{reportName, reportMarkdown(s)})
	for _, f := range files {
		if err := writeFileAtomic(filepath.Join(dir, f.name), []byte(f.text)); err != nil {
			return reportMade{}, reportWriteError{err}
		}
	}
	return reportMade{path: filepath.Join(dir, reportName), results: s.path, torn: s.torn, repeats: s.duplicates}, nil
}

// ---------------------------------------------------------------------------
// The results, parsed and checked.

// study is a results file read for the report, with the baselines of its
// test sets.
type study struct {
	dir, path   string              // the folder, and its results file as messages name it
	rows        []Row               // every row of the file, in file order, repeats dropped
	analysed    []Row               // the rows of analysed (not excluded) pairs
	dropped     []Row               // rows of analysed pairs the replay's nan-drop lost: done, but in no statistic
	excluded    int                 // rows of excluded pairs (run with -all)
	torn        int                 // bytes of a torn last line, ignored
	duplicates  int                 // rows repeating an experiment already in the file, ignored
	target      float64             // success: accuracy >= target, from the protocol column
	seeds       []uint64            // the seeds of the rows, ascending
	protocols   []string            // distinct protocol strings, in order of first appearance
	protocolOf  map[string]Protocol // protocol string -> the protocol it names
	splits      []splitKey          // the test sets the analysed rows were measured on
	baselines   map[baselineKey]baseline
	noBaseline  []string     // test sets whose data could not be generated, and why
	invocations []Invocation // DIR/runs.jsonl, oldest first; nil without one
}

// loadStudy reads and checks dir's results file and computes the baselines
// of every test set its analysed rows used.
func loadStudy(dir string) (*study, error) {
	path := filepath.Join(dir, resultsName)
	rows, torn, repeats, err := readStudyRows(path)
	if err != nil {
		return nil, err
	}
	s := &study{dir: dir, path: path, torn: torn, duplicates: repeats, protocolOf: map[string]Protocol{}, invocations: readInvocations(dir)}
	seeds := map[uint64]bool{}
	splits := map[splitKey]bool{}
	targets := map[float64]bool{}
	for _, r := range rows {
		p, ok := s.protocolOf[r.Protocol]
		if !ok {
			if p, err = parseProtocol(r.Protocol); err != nil {
				return nil, fmt.Errorf("%s: experiment %s: %v", path, r.Key(), err)
			}
			if !(p.Target > 0 && p.Target <= 1) {
				return nil, fmt.Errorf("%s: experiment %s: protocol target=%s is not a fraction in (0, 1]", path, r.Key(), formatFloat(p.Target))
			}
			s.protocolOf[r.Protocol] = p
			s.protocols = append(s.protocols, r.Protocol)
			targets[p.Target] = true
		}
		s.rows = append(s.rows, r)
		seeds[r.Seed] = true
		if exclusionReason(r.Task, r.Dataset) != "" {
			s.excluded++
			continue
		}
		if r.Error == nanDropError {
			s.dropped = append(s.dropped, r) // absent, as from the original's tables
			continue
		}
		s.analysed = append(s.analysed, r)
		splits[splitKeyOf(r.Seed, p)] = true
	}
	if len(targets) > 1 {
		var ts []string
		for t := range targets {
			ts = append(ts, formatFloat(t))
		}
		sort.Strings(ts)
		return nil, fmt.Errorf("%s: rows use different success targets (%s); the report needs one", path, strings.Join(ts, ", "))
	}
	s.target = s.protocolOf[s.protocols[0]].Target
	for seed := range seeds {
		s.seeds = append(s.seeds, seed)
	}
	slices.Sort(s.seeds)
	for k := range splits {
		s.splits = append(s.splits, k)
	}
	sort.Slice(s.splits, func(i, j int) bool { return s.splits[i].less(s.splits[j]) })
	pairs := map[[2]string]bool{}
	for _, row := range s.analysed {
		pairs[[2]string{row.Task, row.Dataset}] = true
	}
	s.baselines, s.noBaseline = computeBaselines(s.splits, pairs)
	return s, nil
}

// readStudyRows reads the results file at path, which must hold at least
// one row: its rows, each experiment once (a rowSet: two different results
// for one experiment are refused, as resume and merge refuse them); torn is
// the length of a torn last line, ignored; repeats counts the rows dropped
// as repeats of an experiment's result.
func readStudyRows(path string) (rows []Row, torn, repeats int, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, 0, fmt.Errorf("no results in %s: run the study first (go run .)", path)
	}
	if err != nil {
		return nil, 0, 0, fmt.Errorf("cannot read %s: %v", path, err)
	}
	c, err := parseResults(data, "")
	if err != nil {
		return nil, 0, 0, fmt.Errorf("%s: %v", path, err)
	}
	if len(c.rows) == 0 {
		return nil, 0, 0, fmt.Errorf("no results in %s: run the study first (go run .)", path)
	}
	set := newRowSet()
	if err := set.addFile(path, c); err != nil {
		return nil, 0, 0, fmt.Errorf("%v: keep the right row and delete the other", err)
	}
	return set.rows, c.torn, set.repeats, nil
}

// isAnalysed reports whether the run's (task, dataset) pair is in the analysis.
func isAnalysed(r Row) bool { return exclusionReason(r.Task, r.Dataset) == "" }

// networkOf returns the spec of the row's network (the zero spec for a
// name that parseRow would have refused).
func networkOf(r Row) NetworkSpec {
	n, _ := findNetwork(r.Network)
	return n
}

// pct formats a fraction as a percentage rounded down to 0.1, so that
// "99.0%" or more always means the target 0.99 was reached.
func pct(x float64) string { return fmt.Sprintf("%.1f%%", math.Floor(x*1000+1e-6)/10) }

// pctUp formats a fraction as a percentage rounded up to 0.1: the upper
// bound of an interval, whose lower bound pct rounds down, so that the
// interval printed is never narrower than the one computed.
func pctUp(x float64) string {
	v := math.Ceil(x*1000-1e-6) / 10
	if v == 0 {
		v = 0 // a bound of exactly 0 rounds up to -0, printed "-0.0"
	}
	return fmt.Sprintf("%.1f%%", v)
}
