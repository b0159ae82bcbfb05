//go:build race

package main

// raceEnabled: the race detector multiplies memory use, so memory bounds
// are reported but not enforced.
const raceEnabled = true
