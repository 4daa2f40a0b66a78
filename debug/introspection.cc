// Copyright 2026 The eventlet-cpp Authors.
#include "debug/introspection.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cinttypes>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "debug/debug.h"
#include "debug/internal/hub_debug.h"
#include "green_net/convenience.h"
#include "green_net/socket.h"

namespace eventlet::debug {
namespace {

constexpr const char* kHelp =
    "commands: ps (greenthreads), timers, listeners, stats (counts), all, "
    "help, quit\n";

constexpr const char* kBuiltins[] = {"ps",  "timers", "listeners", "stats",
                                     "all", "help",   "quit"};

// This thread's added commands, in the order they were added.
std::vector<const IntrospectionCommand*>& added_commands() {
  thread_local std::vector<const IntrospectionCommand*> commands;
  return commands;
}

const IntrospectionCommand* find_added(const std::string& name) {
  for (const IntrospectionCommand* c : added_commands()) {
    if (c->name() == name) return c;
  }
  return nullptr;
}

std::string help() {
  std::string text = kHelp;
  for (const IntrospectionCommand* c : added_commands())
    text += "  " + c->name() + ": " + c->help() + "\n";
  return text;
}

bool is_loopback(const net::Address& a) {
  if (a.family() == AF_INET) return a.host().starts_with("127.");
  if (a.family() == AF_INET6) return a.host() == "::1";
  return false;
}

std::string stats() {
  std::string out = "COUNTS: " + format_counts() + "\n";
  if (internal::HubDebug* d = internal::HubDebug::get_if_exists();
      d != nullptr && d->installed()) {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "OBSERVED: spawned %" PRIu64 ", exited %" PRIu64
                  ", switches %" PRIu64 ", timers added %" PRIu64
                  ", fired %" PRIu64 ", cancelled %" PRIu64
                  ", exceptions %" PRIu64 "\n",
                  d->spawned, d->exited, d->switches, d->timers_added,
                  d->timers_fired, d->timers_cancelled, d->exceptions);
    out += buf;
  }
  return out;
}

void serve_connection(net::Socket conn) {
  Hub::current().current_greenlet().set_name("introspection");
  std::string buffer;
  char chunk[512];
  for (;;) {
    std::size_t nl;
    while ((nl = buffer.find('\n')) == std::string::npos) {
      if (buffer.size() > 4096) return;  // not our protocol
      const std::size_t n = conn.recv(chunk, sizeof chunk);
      if (n == 0) return;
      buffer.append(chunk, n);
    }
    std::string line = buffer.substr(0, nl);
    buffer.erase(0, nl + 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line == "quit") return;
    conn.sendall(introspection_answer(line) + ".\n");
  }
}

}  // namespace

std::string introspection_answer(const std::string& command) {
  if (command == "ps") return format_greenthreads();
  if (command == "timers") return format_hub_timers();
  if (command == "listeners") return format_hub_listeners();
  if (command == "stats") return stats();
  if (command == "all") return format_all();
  if (command == "help" || command.empty()) return help();
  if (const IntrospectionCommand* c = find_added(command)) return c->answer();
  return "unknown command: " + command + "\n" + help();
}

std::unique_ptr<IntrospectionServer> serve_introspection(
    const net::Address& address) {
  if (!is_loopback(address)) {
    throw std::invalid_argument(
        "serve_introspection: only loopback addresses (127.0.0.0/8, ::1) are "
        "allowed, not " +
        address.to_string());
  }
  auto listener = std::make_shared<net::Socket>(net::listen(address));
  std::unique_ptr<IntrospectionServer> server(new IntrospectionServer);
  server->address_ = listener->local_address();
  server->thread_ = spawn([listener] {
    net::serve(
        *listener,
        [](net::Socket conn, net::Address) {
          try {
            serve_connection(std::move(conn));
          } catch (const std::system_error&) {
            // The client went away.
          }
        },
        16);
  });
  server->thread_.set_name("introspection server");
  return server;
}

IntrospectionCommand::IntrospectionCommand(std::string name, std::string help,
                                           std::function<std::string()> answer)
    : name_(std::move(name)),
      help_(std::move(help)),
      answer_(std::move(answer)) {
  if (name_.empty() || name_.find_first_of(" \t\r\n") != std::string::npos)
    throw std::invalid_argument("IntrospectionCommand: bad name \"" + name_ +
                                "\"");
  for (const char* builtin : kBuiltins) {
    if (name_ == builtin) {
      throw std::invalid_argument("IntrospectionCommand: \"" + name_ +
                                  "\" is a built-in command");
    }
  }
  if (find_added(name_) != nullptr) {
    throw std::invalid_argument("IntrospectionCommand: \"" + name_ +
                                "\" is already added");
  }
  added_commands().push_back(this);
}

IntrospectionCommand::~IntrospectionCommand() {
  auto& commands = added_commands();
  std::erase(commands, this);
}

std::string IntrospectionCommand::answer() const {
  std::string text = answer_ ? answer_() : std::string();
  if (!text.empty() && text.back() != '\n') text.push_back('\n');
  // A line holding only "." ends an answer: send ". " instead.
  std::string out;
  out.reserve(text.size());
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t nl = text.find('\n', start);
    const std::string_view line(text.data() + start, nl - start);
    out.append(line == "." ? ". " : line);
    out.push_back('\n');
    start = nl + 1;
  }
  return out;
}

IntrospectionServer::~IntrospectionServer() { stop(); }

void IntrospectionServer::stop() {
  if (!thread_ || thread_.ready()) return;
  thread_.kill();
  try {
    thread_.wait();
  } catch (...) {
  }
}

}  // namespace eventlet::debug
