// grid.go: the study's grid, tasks x datasets x networks, and one experiment
// in it: the registered networks and tasks found by name through maps built
// once, an experiment's identity, its place in the grid, and the size of the
// paper grid. It knows nothing about how a network trains, the results file
// or the worker pool.
package main

import (
	"cmp"
	"fmt"
	"strings"
)

// networks is the registry of networks (networkSpecs, layers.go), built
// once; every lookup of a network by name goes through networkIndex.
var networks = networkSpecs()

// networkIndex and taskIndex map a network's or task's name to its place
// in networks or tasks.
var (
	networkIndex = nameIndex(networks, func(n NetworkSpec) string { return n.Name })
	taskIndex    = nameIndex(tasks, func(t Task) string { return t.Name })
)

// nameIndex maps each item's name to its place in items.
func nameIndex[T any](items []T, name func(T) string) map[string]int {
	m := make(map[string]int, len(items))
	for i, it := range items {
		m[name(it)] = i
	}
	return m
}

// findNetwork returns the network called name, or an error naming the
// valid ones.
func findNetwork(name string) (NetworkSpec, error) {
	if i, ok := networkIndex[name]; ok {
		return networks[i], nil
	}
	return lookupNetwork(name) // not registered: its error lists the valid names
}

// lookupTask returns the task called name, or an error naming the valid ones.
func lookupTask(name string) (Task, error) {
	if i, ok := taskIndex[name]; ok {
		return tasks[i], nil
	}
	return Task{}, fmt.Errorf("unknown task %q (valid: %s)", name, strings.Join(taskNames(), ", "))
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
// out of the analysis (see exclusionReason).
func (e Experiment) Excluded() bool {
	return exclusionReason(e.Task.Name, datasetNames[e.Dataset]) != ""
}

// cell returns the experiment's place in the full grid of one seed: task,
// then dataset, then network, in the orders of tasks, datasetNames and
// networks (12 x 4 x 27 = gridCells places).
func (e Experiment) cell() int {
	return (taskIndex[e.Task.Name]*len(datasetNames)+int(e.Dataset))*len(networks) + networkIndex[e.Network.Name]
}

// gridCells is the number of places in the full grid of one seed (1,296).
var gridCells = len(tasks) * len(datasetNames) * len(networks)

// Index returns the experiment's place in the full grid over seeds,
// seed*gridCells + cell. It wraps for seeds beyond 2^64/1296; order
// experiments with compareExperiments, which does not.
func (e Experiment) Index() uint64 {
	return e.Seed*uint64(gridCells) + uint64(e.cell())
}

// compareExperiments orders experiments by seed, then by cell: the order of
// a merged results file.
func compareExperiments(a, b Experiment) int {
	if c := cmp.Compare(a.Seed, b.Seed); c != 0 {
		return c
	}
	return cmp.Compare(a.cell(), b.cell())
}

// paperGridSize is the number of analysed experiments per seed: every
// (task, dataset, network) whose pair is not excluded (891).
func paperGridSize() int {
	n := 0
	for _, t := range tasks {
		for _, d := range datasetNames {
			if exclusionReason(t.Name, d) == "" {
				n += len(networks)
			}
		}
	}
	return n
}
