//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

// os_other.go: the stand-ins, on systems without flock, for what
// os_unix.go does: no lock on a results file (the study says so when it
// starts); Ctrl-C and SIGTERM (which Windows sends when its console closes)
// stop a study, with the statuses Unix shells give them; no resize signal
// (the progress line keeps the width it found at the start).
package main

import (
	"os"
	"syscall"
)

// locksWork is false here: tryLock does not lock.
const locksWork = false

// tryLock pretends to lock f: this system has no flock.
func tryLock(f *os.File) (bool, error) { return true, nil }

// resizeSignals is empty: no signal tells of a resized terminal here.
var resizeSignals []os.Signal

// stopSignals stop a study cleanly (see stopSignal).
var stopSignals = []stopSignal{{os.Interrupt, 130, "SIGINT"}, {syscall.SIGTERM, 143, "SIGTERM"}}

// brokenPipeSignals is empty: there is no such signal here.
var brokenPipeSignals []os.Signal
