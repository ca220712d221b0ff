// grid.go: the registry of networks and tasks, the paper grid as a named
// subset of it, and one experiment in the grid: the registered networks
// and tasks found by name through maps built once, an experiment's
// identity, its place in the grid, and the size of the paper grid. It
// knows nothing about how a network trains, the results file or the worker
// pool.
//
// Registered is everything the harness can run; the paper grid is what the
// article studied: its 27 networks (paperNetworks), its twelve tasks with
// their exclusions (paperTasks, tasks.go) and the four datasets. The
// default selection (no -tasks, -networks), paperGridSize and the article's
// claims in the report use the paper grid only; every other registered
// network or task runs when named and appears in the report beside the
// claims, never inside them.
//
// To add a network: write one function that builds it (a type with
// arithmeticUnit's five methods, units.go) and add one line to
// arithmeticUnits. To add a task: add one entry (name, width, label
// function, exclusions) to extraTasks (tasks.go). Nothing else lists them.
package main

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// paperNetworks are the article's 27 networks (networkSpecs, layers.go),
// in their fixed order.
var paperNetworks = networkSpecs()

// networks and tasks are the registry: the paper's, then the others
// (arithmeticUnits, units.go; extraTasks, tasks.go). networkIndex and
// taskIndex map a name to its place there; every lookup by name goes
// through them. A test that registers a network or task rebuilds them
// with registerNetworks and registerTasks.
var (
	networks, networkIndex = registerNetworks()
	tasks, taskIndex       = registerTasks()
)

// registerNetworks returns the registry of networks, paperNetworks then
// one per arithmeticUnits line, and its index by name. It panics if a
// name is registered twice.
func registerNetworks() ([]NetworkSpec, map[string]int) {
	all := slices.Clip(paperNetworks)
	for _, u := range arithmeticUnits {
		all = append(all, u.NetworkSpec())
	}
	return all, nameIndex("network", all, func(n NetworkSpec) string { return n.Name })
}

// registerTasks returns the registry of tasks, paperTasks then
// extraTasks, and its index by name. It panics if a name is registered
// twice.
func registerTasks() ([]Task, map[string]int) {
	all := append(slices.Clip(paperTasks), extraTasks...)
	return all, nameIndex("task", all, func(t Task) string { return t.Name })
}

// nameIndex maps each item's name to its place in items; kind names the
// items in its panic on a name given twice.
func nameIndex[T any](kind string, items []T, name func(T) string) map[string]int {
	m := make(map[string]int, len(items))
	for i, it := range items {
		if _, dup := m[name(it)]; dup {
			panic(fmt.Sprintf("nameIndex: %s %q registered twice", kind, name(it)))
		}
		m[name(it)] = i
	}
	return m
}

// findNetwork returns the registered network called name, or an error
// naming the valid ones.
func findNetwork(name string) (NetworkSpec, error) {
	if i, ok := networkIndex[name]; ok {
		return networks[i], nil
	}
	return NetworkSpec{}, fmt.Errorf("unknown network %q (valid: %s)", name,
		validNames(networks, len(paperNetworks), func(n NetworkSpec) string { return n.Name }))
}

// lookupTask returns the registered task called name, or an error naming
// the valid ones.
func lookupTask(name string) (Task, error) {
	if i, ok := taskIndex[name]; ok {
		return tasks[i], nil
	}
	return Task{}, fmt.Errorf("unknown task %q (valid: %s)", name,
		validNames(tasks, len(paperTasks), func(t Task) string { return t.Name }))
}

// validNames lists the names of a registry whose first paper items are the
// paper grid's: "a, b (the paper grid); c, d (beyond the paper, run when
// named)", or just the paper's when there are no others.
func validNames[T any](all []T, paper int, name func(T) string) string {
	var names []string
	for _, x := range all {
		names = append(names, name(x))
	}
	list := strings.Join(names[:paper], ", ")
	if paper < len(names) {
		list += " (the paper grid); " + strings.Join(names[paper:], ", ") + " (beyond the paper, run when named)"
	}
	return list
}

// taskNames returns the names of the registered tasks, in order.
func taskNames() []string {
	var names []string
	for _, t := range tasks {
		names = append(names, t.Name)
	}
	return names
}

// exclusionReason says why the pair of the registered task and the dataset
// called so is left out of the analysis, or returns "" if it is in (and
// for a name not registered).
func exclusionReason(task, dataset string) string {
	i, ok := taskIndex[task]
	d, err := parseDataset(dataset)
	if !ok || err != nil {
		return ""
	}
	return tasks[i].excludedOn(d)
}

// Experiment is one cell of the study's grid, a task learned by a network
// on a dataset, from a seed.
type Experiment struct {
	Task    Task
	Dataset datasetKind
	Network NetworkSpec
	Seed    uint64
}

// Key identifies the experiment in a results file: task/dataset/network/seed.
func (e Experiment) Key() string {
	return experimentKey(e.Task.Name, datasetNames[e.Dataset], e.Network.Name, e.Seed)
}

// experimentKey builds Experiment.Key from its parts.
func experimentKey(task, dataset, network string, seed uint64) string {
	return fmt.Sprintf("%s/%s/%s/%d", task, dataset, network, seed)
}

// Excluded reports whether the experiment's (task, dataset) pair is left
// out of the analysis (see Task.excludedOn).
func (e Experiment) Excluded() bool {
	return e.Task.excludedOn(e.Dataset) != ""
}

// cell returns the experiment's place in the full grid of one seed, every
// registered task x dataset x network: task, then dataset, then network,
// in the orders of tasks, datasetNames and networks (gridCells places).
// The paper's networks and tasks come first in their registries, so among
// the paper grid's experiments the order of cells does not depend on what
// else is registered.
func (e Experiment) cell() int {
	return (taskIndex[e.Task.Name]*len(datasetNames)+int(e.Dataset))*len(networks) + networkIndex[e.Network.Name]
}

// gridCells returns the number of places in the full grid of one seed.
func gridCells() int { return len(tasks) * len(datasetNames) * len(networks) }

// Index returns the experiment's place in the full grid over seeds,
// seed*gridCells + cell. It wraps for large seeds; order experiments with
// compareExperiments, which does not.
func (e Experiment) Index() uint64 {
	return e.Seed*uint64(gridCells()) + uint64(e.cell())
}

// compareExperiments orders experiments by seed, then by cell: the order of
// a merged results file.
func compareExperiments(a, b Experiment) int {
	if c := cmp.Compare(a.Seed, b.Seed); c != 0 {
		return c
	}
	return cmp.Compare(a.cell(), b.cell())
}

// paperGridSize is the number of analysed experiments of the paper grid
// per seed: every paper task, dataset and paper network whose pair is not
// excluded.
func paperGridSize() int {
	n := 0
	for _, t := range paperTasks {
		for d := range datasetNames {
			if t.excludedOn(datasetKind(d)) == "" {
				n += len(paperNetworks)
			}
		}
	}
	return n
}

// isPaperNetwork and isPaperTask report whether the network or task called
// name is one of the paper grid's (they come first in their registries).
func isPaperNetwork(name string) bool {
	i, ok := networkIndex[name]
	return ok && i < len(paperNetworks)
}

// isPaperTask: see isPaperNetwork.
func isPaperTask(name string) bool {
	i, ok := taskIndex[name]
	return ok && i < len(paperTasks)
}

// inPaperGrid reports whether an experiment of this task and network is in
// the paper grid (on any dataset; excluded pairs too).
func inPaperGrid(task, network string) bool { return isPaperTask(task) && isPaperNetwork(network) }

// paperThenRan returns the first paper items of a registry (the paper
// grid's) and, after them, the others for which ran is true: what the
// report shows beside the paper grid.
func paperThenRan[T any](all []T, paper int, ran func(T) bool) []T {
	out := slices.Clip(all[:paper])
	for _, x := range all[paper:] {
		if ran(x) {
			out = append(out, x)
		}
	}
	return out
}
