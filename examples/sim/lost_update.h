// Copyright 2026 The eventlet-cpp Authors.
//
// lost_update.h: a real interleaving bug for sim::explore to find.
//
// Two greenthreads add 1 to a shared balance with a read-modify-write that
// spans a switch point (a sleep(0) standing in for an audit log write). The
// "auditor" first does one other switch (it checks a flag), then deposits.
// In eventlet's FIFO order the first depositor writes back before the auditor
// reads, so the test passes; if a pass happens to run the auditor's read
// before the depositor's write, one deposit is lost.
#ifndef EVENTLET_EXAMPLES_SIM_LOST_UPDATE_H_
#define EVENTLET_EXAMPLES_SIM_LOST_UPDATE_H_

namespace eventlet::examples {

// Runs the two deposits (call it in the main greenlet of a hub, e.g. under
// sim::run). Throws std::runtime_error("lost update: ...") if the final
// balance is not 2.
void LostUpdateScenario();

// The same two deposits, corrected: each deposit holds a Semaphore(1) across
// its read-modify-write, so the balance is 2 under every schedule.
void FixedLostUpdateScenario();

}  // namespace eventlet::examples

#endif  // EVENTLET_EXAMPLES_SIM_LOST_UPDATE_H_
