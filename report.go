// report.go: the study's report, made from the results file alone: the
// entry point, the results loaded and checked for it, and what the report's
// other files share. The report is split by concern: report_claims.go
// (counting and the article's claims), report_baselines.go (the trivial
// baselines), report_markdown.go (report.md) and report_svg.go (the
// charts). None of them knows how a network trains.
//
// writeReport reads DIR/results.csv (and DIR/runs.jsonl, the log of the
// study's invocations, when there is one) and writes DIR/report.md with the
// SVG charts it embeds: a summary per network (summary.svg), a task x
// network heat map per dataset (heatmap-DATASET.svg), the trivial
// baselines, a verdict on each of the article's eight claims under rules
// fixed before any result was seen, the spread over seeds, and how this run
// differs from the original. Apart from those two files it reads only the
// deterministic data generators (the baselines regenerate each test set
// from its seed and sizes), so one results file always gives one report.
//
// Words used throughout: a run is one row (one (task, dataset, network)
// cell and one seed). A run succeeds when it has no error and its test
// accuracy is at least the protocol's target (0.99). A row with an error
// counts as a failed run with accuracy 0. Only runs of the 33 analysed
// (task, dataset) pairs count; rows of excluded pairs (run with -all) are
// counted and otherwise left out.
package main

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
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
	s, err := loadStudy(dir)
	if err != nil {
		return "", err
	}
	type file struct{ name, text string }
	files := []file{{summarySVGName, summarySVG(rankNetworks(networkStats(s.analysed, s.target)), s.target)}}
	for _, d := range datasetNames {
		files = append(files, file{heatmapName(d), heatmapSVG(s, d)})
	}
	files = append(files, file{reportName, reportMarkdown(s)})
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.name), []byte(f.text), 0o644); err != nil {
			return "", fmt.Errorf("cannot write the report: %v", err)
		}
	}
	return filepath.Join(dir, reportName), nil
}

// ---------------------------------------------------------------------------
// The results, parsed and checked.

// study is a results file read for the report, with the baselines of its
// test sets.
type study struct {
	dir, path  string                 // the folder, and its results file as messages name it
	rows       []Row                  // every row of the file, in file order, repeats dropped
	analysed   []Row                  // the rows of analysed (not excluded) pairs
	excluded   int                    // rows of excluded pairs (run with -all)
	torn       int                    // bytes of a torn last line, ignored
	duplicates int                    // rows repeating an experiment already in the file, ignored
	target     float64                // success: accuracy >= target, from the protocol column
	seeds      []uint64               // the seeds of the rows, ascending
	planned    []uint64               // the seeds of the rows and of the protocols' seed ranges, ascending
	protocols  []string               // distinct protocol strings, in order of first appearance
	protocolOf map[string]rowProtocol // protocol string -> its parsed sizes and target
	splits     []splitKey             // the test sets the analysed rows were measured on
	baselines  map[baselineKey]baseline
	noBaseline []string     // test sets whose data could not be generated, and why
	runLog     []Invocation // DIR/runs.jsonl, oldest first; nil without one
}

// loadStudy reads and checks dir's results file and computes the baselines
// of every test set its analysed rows used.
func loadStudy(dir string) (*study, error) {
	path := filepath.Join(dir, resultsName)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no results in %s: run the study first (go run .)", path)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", path, err)
	}
	rows, torn, err := readResults(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("no results in %s: run the study first (go run .)", path)
	}
	s := &study{dir: dir, path: path, torn: torn, protocolOf: map[string]rowProtocol{}, runLog: readInvocations(dir)}
	seen := map[string]bool{}
	seeds, planned := map[uint64]bool{}, map[uint64]bool{}
	splits := map[splitKey]bool{}
	targets := map[float64]bool{}
	for _, r := range rows {
		if seen[r.Key()] {
			s.duplicates++
			continue
		}
		seen[r.Key()] = true
		p, ok := s.protocolOf[r.Protocol]
		if !ok {
			if p, err = parseRowProtocol(r.Protocol); err != nil {
				return nil, fmt.Errorf("%s: experiment %s: %v", path, r.Key(), err)
			}
			s.protocolOf[r.Protocol] = p
			s.protocols = append(s.protocols, r.Protocol)
			targets[p.Target] = true
			for i := 0; i < p.Seeds; i++ {
				planned[p.FirstSeed+uint64(i)] = true
			}
		}
		s.rows = append(s.rows, r)
		seeds[r.Seed], planned[r.Seed] = true, true
		if exclusionReason(r.Task, r.Dataset) != "" {
			s.excluded++
			continue
		}
		s.analysed = append(s.analysed, r)
		splits[splitKey{r.Seed, p.Train, p.Val, p.Test}] = true
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
	for seed := range planned {
		s.planned = append(s.planned, seed)
	}
	slices.Sort(s.planned)
	for k := range splits {
		s.splits = append(s.splits, k)
	}
	sort.Slice(s.splits, func(i, j int) bool { return s.splits[i].less(s.splits[j]) })
	s.baselines, s.noBaseline = computeBaselines(s.splits)
	return s, nil
}

// rowProtocol is what the report needs from a row's protocol column: the
// split sizes the baselines regenerate, the success target, and the seeds
// the run was asked for (none if the string has no seeds= setting).
type rowProtocol struct {
	Train, Val, Test int
	Target           float64
	FirstSeed        uint64
	Seeds            int
}

// parseRowProtocol reads the train=, val=, test= and target= settings of a
// protocol string (Protocol.String), and seeds=FIRST..LAST if present. It
// is more lenient than parseProtocol: it ignores the other settings and
// the version, so that a report can be made of any results file.
func parseRowProtocol(s string) (rowProtocol, error) {
	var p rowProtocol
	found := map[string]bool{}
	for _, part := range strings.Split(s, ";") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "train", "val", "test":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return p, fmt.Errorf("protocol %q: %s=%q is not a positive count", truncate(s, 80), k, v)
			}
			switch k {
			case "train":
				p.Train = n
			case "val":
				p.Val = n
			default:
				p.Test = n
			}
		case "target":
			x, err := strconv.ParseFloat(v, 64)
			if err != nil || !(x > 0 && x <= 1) {
				return p, fmt.Errorf("protocol %q: target=%q is not a fraction in (0, 1]", truncate(s, 80), v)
			}
			p.Target = x
		case "seeds":
			var last uint64
			if _, err := fmt.Sscanf(v, "%d..%d", &p.FirstSeed, &last); err != nil || last < p.FirstSeed || last-p.FirstSeed >= 1<<20 {
				return p, fmt.Errorf("protocol %q: seeds=%q is not a range FIRST..LAST", truncate(s, 80), v)
			}
			p.Seeds = int(last-p.FirstSeed) + 1
			continue
		default:
			continue
		}
		found[k] = true
	}
	if len(found) != 4 {
		return p, fmt.Errorf("protocol %q lacks one of train=, val=, test=, target=", truncate(s, 80))
	}
	return p, nil
}

// isAnalysed reports whether the run's (task, dataset) pair is in the analysis.
func isAnalysed(r Row) bool { return exclusionReason(r.Task, r.Dataset) == "" }

// succeeded reports whether a run reached the target: no error and test
// accuracy >= target.
func succeeded(r Row, target float64) bool { return runAccuracy(r) >= target }

// runAccuracy is a run's test accuracy, 0 for a run that ended in an error
// (or, in a hand-edited file, whose accuracy is NaN).
func runAccuracy(r Row) float64 {
	if r.Error != "" || math.IsNaN(r.Accuracy) {
		return 0
	}
	return r.Accuracy
}

// specOf returns the spec of the run's network (the zero spec for a name
// that parseRow would have refused).
func specOf(r Row) NetworkSpec {
	spec, _ := lookupNetwork(r.Network)
	return spec
}

// pct formats a fraction as a percentage rounded down to 0.1, so that
// "99.0%" or more always means the target 0.99 was reached.
func pct(x float64) string { return fmt.Sprintf("%.1f%%", math.Floor(x*1000+1e-6)/10) }
