// Copyright 2026 The eventlet-cpp Authors.
#include "hub/errors.h"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <typeinfo>

namespace eventlet {
namespace {

std::string demangle(const char* name) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> out(
      abi::__cxa_demangle(name, nullptr, nullptr, &status), std::free);
  return status == 0 && out ? std::string(out.get()) : std::string(name);
}

}  // namespace

std::string describe_exception(std::exception_ptr error) {
  if (!error) return "no exception";
  try {
    std::rethrow_exception(error);
  } catch (const GreenletExit&) {
    return "GreenletExit";
  } catch (const TimeoutExpired& e) {
    return std::string("eventlet::TimeoutExpired: ") + e.what();
  } catch (const SystemExit& e) {
    return "eventlet::SystemExit: " + std::to_string(e.code());
  } catch (const std::exception& e) {
    return demangle(typeid(e).name()) + ": " + e.what();
  } catch (...) {
    const std::type_info* type = abi::__cxa_current_exception_type();
    return type ? demangle(type->name()) + " (not a std::exception)"
                : std::string("unknown exception");
  }
}

bool is_greenlet_exit(std::exception_ptr error) {
  if (!error) return false;
  try {
    std::rethrow_exception(error);
  } catch (const GreenletExit&) {
    return true;
  } catch (...) {
    return false;
  }
}

}  // namespace eventlet
