// report_replay.go: the report's section "What the original's bugs did",
// rendered only when replay folders of the original 2018 code's behaviours
// (replay.go) sit beside the report's folder.
//
// The convention: the report of folder DIR (say results) looks beside it
// for DIR-2018, the whole paper grid under -protocol 2018 (every switch),
// and DIR-2018-SWITCH, the fixed protocol with one switch on (-replay
// SWITCH) over the cells that switch can change (its scope, replayScopes).
// Which switches a folder holds is read from its rows' protocol column,
// never from its name. DIR's own rows are the fixed protocol. A folder
// without such neighbours gets no section, so its report is unchanged.
//
// Every column of the section is judged on the same places: the paper
// grid's analysed runs of the seeds that DIR and every replay folder have.
// A single-switch folder holds only its scope; on the other cells DIR's run
// stands for it, as there the switch changes nothing. Each run is judged
// against the baselines of its own protocol's test sets (report_baselines.go).
package main

import (
	"cmp"
	"fmt"
	"math/bits"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// replayFolderSuffix ends the name of the full replay's folder beside the
// report's folder (DIR-2018); single-switch folders add "-SWITCH" to it.
const replayFolderSuffix = "-2018"

// replayScope is the part of the grid one switch can change; an empty
// field matches anything, so the zero scope is the whole grid.
type replayScope struct {
	Task, Dataset string
	Type          networkType
}

// replayScopes are the switches whose effect is confined to part of the
// grid (replay.go): residual-eval changes only the networks with skips,
// random-pos only random_pos, one-hot-sum-128 only one_hot_sum. Every
// other switch can change any experiment.
var replayScopes = map[replaySwitch]replayScope{
	replayResidualEval: {Type: typeDenseResidual},
	replayRandomPos:    {Dataset: datasetNames[randomPos]},
	replayOneHotSum128: {Task: "one_hot_sum"},
}

// covers reports whether the experiment of task, dataset and network is
// in the scope.
func (sc replayScope) covers(task, dataset, network string) bool {
	n, _ := findNetwork(network)
	return (sc.Task == "" || sc.Task == task) && (sc.Dataset == "" || sc.Dataset == dataset) && (sc.Type == "" || sc.Type == n.Type)
}

// flags returns the study's flags that select the scope from the paper
// grid: "-tasks one_hot_sum", "-networks dense_residual-2-linear,...", or
// "" for the whole grid.
func (sc replayScope) flags() string {
	switch {
	case sc.Task != "":
		return "-tasks " + sc.Task
	case sc.Dataset != "":
		return "-datasets " + sc.Dataset
	case sc.Type != "":
		var names []string
		for _, n := range paperNetworks {
			if n.Type == sc.Type {
				names = append(names, n.Name)
			}
		}
		return "-networks " + strings.Join(names, ",")
	}
	return ""
}

// replayScopeOf returns the scope of r's switches: a single switch's own,
// else the whole grid (the union of several scopes is not one selection).
func replayScopeOf(r Replay) replayScope {
	if bits.OnesCount16(uint16(r)) == 1 {
		return replayScopes[replaySwitch(bits.TrailingZeros16(uint16(r)))]
	}
	return replayScope{}
}

// replayReaches reports whether some switch of r can change the run of
// task, dataset and network.
func replayReaches(r Replay, task, dataset, network string) bool {
	for s := range replayNames {
		if r.Has(replaySwitch(s)) && replayScopes[replaySwitch(s)].covers(task, dataset, network) {
			return true
		}
	}
	return false
}

// replayScopeSize is the number of analysed experiments of the paper grid,
// per seed, that some switch of r can change.
func replayScopeSize(r Replay) int {
	n := 0
	for _, t := range paperTasks {
		for _, d := range datasetNames {
			for _, net := range paperNetworks {
				if exclusionReason(t.Name, d) == "" && replayReaches(r, t.Name, d, net.Name) {
					n++
				}
			}
		}
	}
	return n
}

// replayLabel names r's switches for the report: "2018, all switches"
// for every switch, else the switches joined by "+".
func replayLabel(r Replay) string {
	if r == replayAll {
		return "2018, all switches"
	}
	return r.String()
}

// replayCommand returns the study's command that makes (or completes) the
// replay folder out of r's switches on seeds: -protocol 2018 for every
// switch, else -replay with the scope's flags.
func replayCommand(r Replay, seeds []uint64, out string) string {
	parts := []string{"go run ."}
	if r == replayAll {
		parts = append(parts, "-protocol 2018")
	} else {
		parts = append(parts, "-replay "+strings.ReplaceAll(r.String(), "+", ","))
		if f := replayScopeOf(r).flags(); f != "" {
			parts = append(parts, f)
		}
	}
	if f := seedFlags(seeds); f != "" {
		parts = append(parts, f)
	}
	return strings.Join(append(parts, "-out "+out), " ")
}

// seedFlags returns the study's seed flags for seeds, as a range from the
// lowest to the highest: "-seeds 3", "-seed 4 -seeds 2"; "" for none.
func seedFlags(seeds []uint64) string {
	if len(seeds) == 0 {
		return ""
	}
	n := fmt.Sprintf("-seeds %d", seeds[len(seeds)-1]-seeds[0]+1)
	if seeds[0] != 1 {
		return fmt.Sprintf("-seed %d %s", seeds[0], n)
	}
	return n
}

// ---------------------------------------------------------------------------
// The replay folders beside the report's folder.

// replayFolder is a folder of replay rows beside the report's folder.
type replayFolder struct {
	dir     string // as the report names it: DIR/../NAME
	study   *study // its rows; nil when it cannot be compared
	replay  Replay // the switches of its rows
	problem string // why it is not compared; "" when it is
	// inProgress marks a single-switch folder that lacks one of the report
	// folder's runs in its cells on the common seeds (a run under way):
	// listed, not compared, so that no verdict rests on part of its runs.
	inProgress bool
}

// compared reports whether f is a column of the comparison.
func (f replayFolder) compared() bool { return f.study != nil && !f.inProgress }

// replayBase returns the path of the full replay's folder beside dir, as
// the report names it: results -> results-2018.
func replayBase(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	return filepath.Join(dir, "..", filepath.Base(abs)+replayFolderSuffix)
}

// replayFolderNames returns the names of the folders beside dir called
// BASE-2018 or BASE-2018-*, BASE being dir's own name, sorted.
func replayFolderNames(dir string) []string {
	full := replayBase(dir)
	entries, err := os.ReadDir(filepath.Dir(full))
	if err != nil {
		return nil
	}
	prefix := filepath.Base(full)
	var names []string
	for _, e := range entries {
		if e.IsDir() && (e.Name() == prefix || strings.HasPrefix(e.Name(), prefix+"-")) {
			names = append(names, e.Name())
		}
	}
	return names
}

// loadReplayFolder reads the replay folder at path and checks that it can
// be compared with fixed: one set of switches in all its rows, and
// otherwise the same protocol as fixed's rows.
func loadReplayFolder(path string, fixed *study) replayFolder {
	f := replayFolder{dir: path}
	s, err := loadStudy(path)
	if err != nil {
		f.problem = err.Error()
		return f
	}
	var replays []Replay
	for _, p := range s.protocols {
		q := s.protocolOf[p]
		if !slices.Contains(replays, q.Replay) {
			replays = append(replays, q.Replay)
		}
		q.Replay = 0
		if !slices.Contains(fixed.protocols, q.String()) {
			f.problem = "its protocol, switches aside, is not this folder's: " + protocolDiff(fixed.protocols[0], q.String())
		}
	}
	if len(replays) != 1 || replays[0] == 0 {
		f.problem = "its rows are not of one set of replay switches"
	}
	if f.problem == "" {
		f.study, f.replay = s, replays[0]
	}
	return f
}

// loadReplayFolders loads the replay folders beside fixed's folder: the
// full replay first, then single switches in replayNames' order, then
// other sets of switches; folders that cannot be compared last.
func loadReplayFolders(fixed *study) []replayFolder {
	var out []replayFolder
	for _, name := range replayFolderNames(fixed.dir) {
		out = append(out, loadReplayFolder(filepath.Join(fixed.dir, "..", name), fixed))
	}
	rank := func(f replayFolder) int {
		switch {
		case f.study == nil:
			return 3
		case f.replay == replayAll:
			return 0
		case bits.OnesCount16(uint16(f.replay)) == 1:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(out, func(a, b replayFolder) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a.replay, b.replay))
	})
	return out
}

// commonSeeds returns the seeds every column is judged on, ascending. With
// a full replay folder they are those fixed and the full replay have, and a
// single-switch folder that lacks one of fixed's runs in its cells on them
// (lacksRunOf) is marked in progress and left out, so that a run under way
// neither narrows the full replay's comparison nor gives verdicts on part
// of its runs; the folders' table says how complete each is. Without one,
// they are the seeds fixed and every usable replay folder have.
func commonSeeds(fixed *study, folders []replayFolder) []uint64 {
	seeds := slices.Clone(fixed.seeds)
	narrow := func(f replayFolder) {
		seeds = slices.DeleteFunc(seeds, func(s uint64) bool { return !slices.Contains(f.study.seeds, s) })
	}
	full := slices.IndexFunc(folders, func(f replayFolder) bool { return f.study != nil && f.replay == replayAll })
	if full < 0 {
		for _, f := range folders {
			if f.study != nil {
				narrow(f)
			}
		}
		return seeds
	}
	narrow(folders[full])
	for i := range folders {
		if f := &folders[i]; f.study != nil && i != full {
			f.inProgress = lacksRunOf(f, fixed, seeds)
		}
	}
	return seeds
}

// lacksRunOf reports whether f lacks a run (analysed or dropped) that fixed
// has on seeds in the paper grid's cells f's switches can change.
func lacksRunOf(f *replayFolder, fixed *study, seeds []uint64) bool {
	have := map[string]bool{}
	for _, r := range slices.Concat(f.study.analysed, f.study.dropped) {
		have[r.Key()] = true
	}
	for _, r := range slices.Concat(fixed.analysed, fixed.dropped) {
		if inScope(r, f.replay, seeds) && !have[r.Key()] {
			return true
		}
	}
	return false
}

// ---------------------------------------------------------------------------
// The conditions compared: the fixed protocol, and each replay folder.

// replayCondition is one column of the section: the runs that stand for a
// protocol on the common places, as a study the claim judges read.
type replayCondition struct {
	label    string
	folder   *replayFolder // nil for the fixed protocol
	study    *study
	verdicts [8]claimResult
}

// conditionStudy returns the study of f's switches on seeds: f's analysed
// runs of those seeds and, on the cells none of its switches can change,
// fixed's runs where f has none; fixed's own runs when f is nil. Its
// protocols and baselines are those of the studies its runs come from.
func conditionStudy(fixed *study, f *replayFolder, seeds []uint64) *study {
	s := &study{dir: fixed.dir, target: fixed.target, seeds: seeds, protocolOf: map[string]Protocol{}, baselines: map[baselineKey]baseline{}}
	have := map[string]bool{}
	add := func(from *study, keep func(Row) bool) {
		for _, r := range from.analysed {
			if slices.Contains(seeds, r.Seed) && !have[r.Key()] && keep(r) {
				s.analysed, have[r.Key()] = append(s.analysed, r), true
			}
		}
		for k, v := range from.protocolOf {
			s.protocolOf[k] = v
		}
		for k, v := range from.baselines {
			s.baselines[k] = v
		}
	}
	if f == nil {
		add(fixed, func(Row) bool { return true })
		return s
	}
	add(f.study, func(Row) bool { return true })
	add(fixed, func(r Row) bool { return !replayReaches(f.replay, r.Task, r.Dataset, r.Network) })
	return s
}

// replayConditions returns the fixed protocol's condition and one per
// usable replay folder, each with its claims judged.
func replayConditions(fixed *study, folders []replayFolder, seeds []uint64) []replayCondition {
	conds := []replayCondition{{label: "fixed", study: conditionStudy(fixed, nil, seeds)}}
	for i := range folders {
		if f := &folders[i]; f.compared() {
			conds = append(conds, replayCondition{label: replayLabel(f.replay), folder: f, study: conditionStudy(fixed, f, seeds)})
		}
	}
	for i := range conds {
		conds[i].verdicts = judgeClaims(conds[i].study)
	}
	return conds
}

// ---------------------------------------------------------------------------
// The section.

// writeReplaySection writes the section comparing the replay folders beside
// s's folder with s; it writes nothing when there are none, so a report
// without replay folders is unchanged.
func writeReplaySection(b *strings.Builder, s *study) {
	names := replayFolderNames(s.dir)
	if len(names) == 0 {
		return
	}
	b.WriteString("## What the original's bugs did\n\n")
	for _, p := range s.protocols {
		if s.protocolOf[p].Replay != 0 {
			fmt.Fprintf(b, "This folder's rows are themselves replay rows (`%s`), so the replay folders beside it (%s) are not compared: report on the folder of the fixed protocol's rows.\n\n",
				p, strings.Join(names, ", "))
			return
		}
	}
	folders := loadReplayFolders(s)
	seeds := commonSeeds(s, folders)
	fmt.Fprintf(b, "Beside this folder, `%[1]s` holds the paper grid under the original code's protocol (`-protocol 2018`: every switch on) and `%[1]s-SWITCH` the fixed protocol "+
		"with one of the original's behaviours switched on (`-replay SWITCH`) over the cells that switch can change; README, \"Replaying the original (2018)\", says what each switch does. "+
		"A folder's switches are read from its rows. Every column below is judged by the rules of section 4 on the same places: the analysed runs of the paper grid for seed(s) %[2]s, "+
		"the seeds this folder and every replay folder have (section 4 judges all of this folder's seeds). A single-switch folder holds only the cells its switch can change; "+
		"on the other cells this folder's run stands for it, since there the switch changes nothing. Each run is judged against the trivial baselines of its own protocol's test sets.\n\n",
		replayBase(s.dir), joinSeedsOrNone(seeds))
	b.WriteString("### The folders\n\n")
	writeReplayFolders(b, s, folders, seeds)
	switch {
	case !slices.ContainsFunc(folders, replayFolder.compared):
		b.WriteString("No replay folder can be compared with this one.\n\n")
		return
	case len(seeds) == 0:
		b.WriteString("No seed is common to this folder and every replay folder: nothing can be compared.\n\n")
		return
	}
	conds := replayConditions(s, folders, seeds)
	writeReplayVerdicts(b, conds)
	for i, c := range conds[1:] {
		writeReplayNetworks(b, s, c, seeds, i > 0)
	}
}

// joinSeedsOrNone is joinSeeds, or "none" for no seeds.
func joinSeedsOrNone(seeds []uint64) string {
	if len(seeds) == 0 {
		return "none"
	}
	return joinSeeds(seeds)
}

// writeReplayFolders writes how complete this folder and each replay folder
// are on the common seeds (runs present of the size of its cells), the
// folders that cannot be compared and why, and the single switches without
// a folder, with the commands that make or complete them; nan-drop's is not
// asked for when s's runs show it would change nothing (needsNaNDropFolder),
// and a sentence says why.
func writeReplayFolders(b *strings.Builder, s *study, folders []replayFolder, seeds []uint64) {
	rows := [][]string{scopeRow(s.dir, "none: the fixed protocol", s, replayAll, seeds, "go run . "+seedFlags(seeds)+" -out "+s.dir)}
	for _, f := range folders {
		if f.study == nil {
			rows = append(rows, []string{"`" + f.dir + "`", "not compared: " + f.problem, "", "", ""})
			continue
		}
		row := scopeRow(f.dir, replayLabel(f.replay), f.study, f.replay, seeds, replayCommand(f.replay, seeds, f.dir))
		if f.inProgress {
			row[3] += "; in progress: compared once it has every run of this folder in its cells"
		}
		rows = append(rows, row)
	}
	mdTable(b, []string{"folder", "switches", "seeds", "runs of its cells on the common seeds", "to make or complete it"}, rows)
	var missing []string
	waived := false // nan-drop's folder, when it could change nothing
	for sw, name := range replayNames {
		r := Replay(1) << sw
		switch {
		case slices.ContainsFunc(folders, func(f replayFolder) bool { return f.study != nil && f.replay == r }):
		case replaySwitch(sw) == replayNaNDrop && !needsNaNDropFolder(s, seeds):
			waived = true
		default:
			missing = append(missing, fmt.Sprintf("%s (`%s`)", name, replayCommand(r, seeds, replayBase(s.dir)+"-"+name)))
		}
	}
	if len(missing) > 0 {
		fmt.Fprintf(b, "Single switches without a folder of their own: %s.\n\n", strings.Join(missing, "; "))
	}
	if waived {
		fmt.Fprintf(b, "%s needs no folder on seed(s) %s: it acts only when a trial diverges, and none of this folder's %s runs there "+
			"(every experiment of the paper grid, none in error) had a diverged trial, so with it alone each of them is the same run, "+
			"cell for cell (TestNaNDropAloneChangesNoRunWithoutDivergence); its verdicts there are the fixed protocol's.\n\n",
			replayNames[replayNaNDrop], joinSeeds(seeds), thousands(replayScopeSize(1<<replayNaNDrop)*len(seeds)))
	}
}

// needsNaNDropFolder reports whether the replay's nan-drop alone could
// change a run of the paper grid on seeds: unless s holds every one of
// those runs, none in error and none with a diverged trial (grid or long
// run), the only runs nan-drop acts on.
func needsNaNDropFolder(s *study, seeds []uint64) bool {
	n := 0
	for _, r := range s.analysed {
		if inPaperGrid(r.Task, r.Network) && slices.Contains(seeds, r.Seed) {
			if r.DivergedTrials > 0 || r.Error != "" {
				return true
			}
			n++
		}
	}
	return len(seeds) == 0 || n < replayScopeSize(1<<replayNaNDrop)*len(seeds)
}

// scopeRow is a folder's line in the completeness table: its analysed runs
// of the paper grid on seeds in the cells r's switches can change, of how
// many there are (every cell for the fixed protocol, given replayAll).
func scopeRow(dir, label string, s *study, r Replay, seeds []uint64, command string) []string {
	present, want := scopeRuns(s, r, seeds)
	status := "complete"
	if present < want {
		status = "**INCOMPLETE**"
	}
	return []string{"`" + dir + "`", label, joinSeeds(s.seeds), fmt.Sprintf("%s of %s: %s", thousands(present), thousands(want), status), "`" + command + "`"}
}

// scopeRuns counts s's runs (analysed or dropped) of the paper grid on seeds
// in the cells r's switches can change, and how many there are.
func scopeRuns(s *study, r Replay, seeds []uint64) (present, want int) {
	for _, row := range slices.Concat(s.analysed, s.dropped) {
		if inScope(row, r, seeds) {
			present++
		}
	}
	return present, replayScopeSize(r) * len(seeds)
}

// inScope reports whether row is a run of the paper grid on seeds in a
// cell r's switches can change: the runs a folder of r must hold.
func inScope(row Row, r Replay, seeds []uint64) bool {
	return inPaperGrid(row.Task, row.Network) && slices.Contains(seeds, row.Seed) && replayReaches(r, row.Task, row.Dataset, row.Network)
}

// writeReplayVerdicts writes the verdict of each claim under each
// condition, then a sentence per claim on what the switches did to it.
func writeReplayVerdicts(b *strings.Builder, conds []replayCondition) {
	b.WriteString("### The claims' verdicts\n\n")
	header := []string{"#", "claim"}
	for _, c := range conds {
		header = append(header, c.label)
	}
	var rows [][]string
	for i, c := range claimTexts {
		row := []string{strconv.Itoa(i + 1), c.Claim}
		for _, cond := range conds {
			row = append(row, cond.verdicts[i].Verdict)
		}
		rows = append(rows, row)
	}
	mdTable(b, header, rows)
	for i := range claimTexts {
		fmt.Fprintf(b, "- Claim %d: %s.\n", i+1, claimMovement(i, conds))
	}
	b.WriteString("\n")
}

// claimMovement is the sentence on claim i: its verdict under the full
// replay and under the fixed protocol, what that says of the article's
// conclusion, and which single-switch folders move the verdict.
func claimMovement(i int, conds []replayCondition) string {
	f := conds[0].verdicts[i].Verdict
	var text string
	var moved, kept []string
	full := -1
	for k, c := range conds[1:] {
		v := c.verdicts[i].Verdict
		switch {
		case c.folder.replay == replayAll:
			full = k + 1
		case v != f:
			moved = append(moved, fmt.Sprintf("%s alone makes it %s", c.label, v))
		default:
			kept = append(kept, c.label)
		}
	}
	r := ""
	if full >= 0 {
		r = conds[full].verdicts[i].Verdict
	}
	switch {
	case full < 0:
		text = fmt.Sprintf("%s under the fixed protocol; no full replay to compare", f)
	case r == f && f == verdictConfirmed:
		text = "confirmed under both the replay and the fixed protocol: the conclusion survives the fixes"
	case r == f:
		text = fmt.Sprintf("%s under both the replay and the fixed protocol", f)
	case r == verdictConfirmed:
		text = fmt.Sprintf("confirmed under the replay, %s under the fixed protocol: on these runs an artefact of the original's code", f)
	case f == verdictConfirmed:
		text = fmt.Sprintf("%s under the replay, confirmed under the fixed protocol: the original's code hid it", r)
	default:
		text = fmt.Sprintf("%s under the replay, %s under the fixed protocol", r, f)
	}
	if len(moved) > 0 {
		text += "; " + strings.Join(moved, "; ")
	}
	if len(kept) > 0 {
		text += "; it stays " + f + " under " + strings.Join(kept, ", ") + " alone"
	}
	return text
}

// networkShift is one network's runs in a replay folder against its runs
// at the same places (cell and seed) under the fixed protocol.
type networkShift struct {
	Network string
	comparison
	MeanReplay, MeanFixed float64 // mean test accuracy over the pairs
}

// networkShifts compares, network by network in paperNetworks order, f's
// analysed runs of the paper grid on seeds with fixed's at the same places
// (A the replay, B the fixed protocol), Holm-adjusting the McNemar tests
// over the networks; the last entry, named "all networks", pools them
// (clustered by cell) and is left out of the adjustment.
func networkShifts(fixed *study, f *replayFolder, seeds []uint64) []networkShift {
	fixedRuns := map[string]Row{}
	for _, r := range fixed.analysed {
		fixedRuns[r.Key()] = r
	}
	idx := map[string]runIndex{}
	var all []runPair
	for _, r := range f.study.analysed {
		q, ok := fixedRuns[r.Key()]
		if !ok || !inPaperGrid(r.Task, r.Network) || !slices.Contains(seeds, r.Seed) {
			continue
		}
		if idx[r.Network] == nil {
			idx[r.Network] = runIndex{}
		}
		at := place{r.Task, r.Dataset, r.Seed}
		idx[r.Network][at] = map[string]Row{"replay": r, "fixed": q}
		all = append(all, runPair{at, r, q})
	}
	var out []networkShift
	for _, n := range paperNetworks {
		if idx[n.Name] != nil {
			out = append(out, shiftOf(n.Name, pairsOf(idx[n.Name], "replay", "fixed"), fixed.target))
		}
	}
	ps := make([]float64, len(out))
	for i, sh := range out {
		ps[i] = sh.McNemarP
	}
	for i, p := range holm(ps) {
		out[i].HolmP = p
	}
	slices.SortStableFunc(all, func(a, b runPair) int {
		return cmp.Or(cmp.Compare(a.At.Task, b.At.Task), cmp.Compare(a.At.Dataset, b.At.Dataset), cmp.Compare(a.At.Seed, b.At.Seed))
	})
	return append(out, shiftOf("all networks", all, fixed.target))
}

// shiftOf compares the replay (A) and fixed (B) runs of pairs.
func shiftOf(name string, pairs []runPair, target float64) networkShift {
	sh := networkShift{Network: name, comparison: comparePairs(pairs, target)}
	for _, p := range pairs {
		sh.MeanReplay += p.A.testAccuracy() / float64(len(pairs))
		sh.MeanFixed += p.B.testAccuracy() / float64(len(pairs))
	}
	return sh
}

// writeReplayNetworks writes the per-network table of condition c's folder
// against the fixed protocol; folded away when folded.
func writeReplayNetworks(b *strings.Builder, s *study, c replayCondition, seeds []uint64, folded bool) {
	shifts := networkShifts(s, c.folder, seeds)
	if shifts[len(shifts)-1].Pairs == 0 {
		fmt.Fprintf(b, "`%s` (%s) has no run at a place (cell and seed) where this folder has one: nothing to pair.\n\n", c.folder.dir, c.label)
		return
	}
	title := fmt.Sprintf("Per network: `%s` (%s) against the fixed protocol", c.folder.dir, c.label)
	if folded {
		fmt.Fprintf(b, "<details><summary>%s</summary>\n\n", title)
	} else {
		fmt.Fprintf(b, "### %s\n\n", title)
	}
	fmt.Fprintf(b, "Each network's analysed runs in the folder, paired with this folder's at the same cell and seed (%s): success rate and mean accuracy under each, "+
		"the replay's success rate minus the fixed protocol's with its 95%% bootstrap interval (cells, then seeds), the places where only one succeeded with an exact McNemar test "+
		"(Holm-adjusted over the networks), and the sign test on accuracy. The last line pools every network.\n\n", plural(shifts[len(shifts)-1].Pairs, "paired run"))
	var rows [][]string
	for k, sh := range shifts {
		holmP := fmt.Sprintf("%.3g", sh.HolmP)
		if k == len(shifts)-1 {
			holmP = "–"
		}
		rows = append(rows, []string{sh.Network, strconv.Itoa(sh.Pairs), pct(sh.RateB) + " → " + pct(sh.RateA),
			sh.diffText(), fmt.Sprintf("%d : %d", sh.OnlyA, sh.OnlyB),
			fmt.Sprintf("%.3g", sh.McNemarP), holmP, pct(sh.MeanFixed) + " → " + pct(sh.MeanReplay), fmt.Sprintf("%d : %d, p = %.3g", sh.HigherA, sh.HigherB, sh.SignP)})
	}
	mdTable(b, []string{"network", "paired runs", "success: fixed → replay", "replay − fixed [95%]", "only replay : only fixed", "McNemar p", "Holm p",
		"mean accuracy: fixed → replay", "higher accuracy (replay : fixed)"}, rows)
	if folded {
		b.WriteString("</details>\n\n")
	}
}
