//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

// os_unix.go: what the command needs from a Unix kernel beyond what every
// system has: an exclusive lock on a file (flock), and the signals of a
// closed terminal (SIGHUP), a closed pipe (SIGPIPE) and a resized terminal
// window (SIGWINCH). os_other.go has the stand-ins for other systems.
package main

import (
	"errors"
	"os"
	"syscall"
)

// locksWork is true where tryLock really locks.
const locksWork = true

// tryLock takes the exclusive advisory lock on f without waiting: false if
// another open file (in this process or another) holds it. The kernel
// releases it when f is closed or the process ends, however it ends.
func tryLock(f *os.File) (bool, error) {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}

// resizeSignals is the signal a terminal sends its processes when its
// window changes size.
var resizeSignals = []os.Signal{syscall.SIGWINCH}

// stopSignals stop a study cleanly (see stopSignal).
var stopSignals = []stopSignal{
	{os.Interrupt, 128 + int(syscall.SIGINT), "SIGINT"},
	{syscall.SIGTERM, 128 + int(syscall.SIGTERM), "SIGTERM"},
	{syscall.SIGHUP, 128 + int(syscall.SIGHUP), "SIGHUP"},
}

// brokenPipeSignals are ignored once a study is stopping, so that writing
// to a closed pipe or terminal fails instead of killing the process.
var brokenPipeSignals = []os.Signal{syscall.SIGPIPE}
