// The states of messages and jobs: one list each, shared by the store, its Lua scripts
// (core/store/lua/prelude.lua lists the same names; tests/integration/codec_test.cpp
// checks that the two agree), metrics, the command line and the retry policy.
#pragma once
#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace loa::jobs {

/// What became of one message, in the order reports and metrics list them.
enum class MessageState { queued, sending, sent, delivered, failed, skipped, unknown, cancelled };
inline constexpr std::array<std::string_view, 8> kMessageStateNames = {"queued", "sending", "sent",    "delivered",
                                                                       "failed", "skipped", "unknown", "cancelled"};
inline constexpr std::array<MessageState, 8> kMessageStates = {
    MessageState::queued, MessageState::sending, MessageState::sent,    MessageState::delivered,
    MessageState::failed, MessageState::skipped, MessageState::unknown, MessageState::cancelled};

/// Where a job is: scheduled (waiting for its --at), queued (due, not expanded yet),
/// expanding, sending, and the three ends.
/// `submitted`: in the job stream, not yet taken by any gateway (never stored in a job's
/// hash: what `loa status` says of a stream entry no gateway has admitted).
/// `awaiting_approval`: caught by the approval policy; counted, not expanded, until an
/// approver other than its sender approves (then scheduled or queued) or rejects it.
enum class JobState { scheduled, queued, expanding, sending, done, cancelled, rejected, submitted, awaiting_approval };
inline constexpr std::array<std::string_view, 9> kJobStateNames = {
    "scheduled", "queued", "expanding", "sending", "done", "cancelled", "rejected", "submitted", "awaiting_approval"};
inline constexpr std::array<JobState, 9> kJobStates = {
    JobState::scheduled, JobState::queued,   JobState::expanding, JobState::sending,          JobState::done,
    JobState::cancelled, JobState::rejected, JobState::submitted, JobState::awaiting_approval};

constexpr std::string_view name(MessageState s) { return kMessageStateNames[static_cast<std::size_t>(s)]; }
constexpr std::string_view name(JobState s) { return kJobStateNames[static_cast<std::size_t>(s)]; }

template <typename State, std::size_t N>
constexpr std::optional<State> parse_state(std::string_view s, const std::array<std::string_view, N>& names) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == s) return static_cast<State>(i);
  return std::nullopt;
}
constexpr std::optional<MessageState> message_state(std::string_view s) {
  return parse_state<MessageState>(s, kMessageStateNames);
}
constexpr std::optional<JobState> job_state(std::string_view s) { return parse_state<JobState>(s, kJobStateNames); }

/// A job in one of these states will not change again on its own.
constexpr bool finished(JobState s) {
  return s == JobState::done || s == JobState::cancelled || s == JobState::rejected;
}
/// A message in one of these states waits for the gateway (it counts as not finished).
constexpr bool pending(MessageState s) { return s == MessageState::queued || s == MessageState::sending; }

}  // namespace loa::jobs
