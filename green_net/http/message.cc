// Copyright 2026 The eventlet-cpp Authors.
#include "green_net/http/message.h"

#include <algorithm>
#include <boost/beast/http.hpp>

namespace eventlet::http {
namespace {

namespace bhttp = boost::beast::http;

constexpr char to_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  }
  return true;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                       (c >= 'A' && c <= 'Z');
    if (!alnum &&
        std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) ==
            std::string_view::npos)
      return false;
  }
  return true;
}

bool valid_header_name(std::string_view name) { return is_token(name); }

std::optional<std::string_view> find_header(const std::vector<Header>& headers,
                                            std::string_view name) {
  for (const Header& h : headers) {
    if (iequals(h.name, name)) return std::string_view(h.value);
  }
  return std::nullopt;
}

void erase_header(std::vector<Header>& headers, std::string_view name) {
  std::erase_if(headers,
                [&](const Header& h) { return iequals(h.name, name); });
}

bool valid_header_value(std::string_view value) {
  for (unsigned char c : value) {
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  }
  return true;
}

std::string_view reason_phrase(int status) {
  if (status < 0 || status > 999) return "Unknown";
  const bhttp::status s = bhttp::int_to_status(static_cast<unsigned>(status));
  if (s == bhttp::status::unknown) return "Unknown";
  const auto reason = bhttp::obsolete_reason(s);
  return {reason.data(), reason.size()};
}

// ---- Request / Response -----------------------------------------------------

std::optional<std::string_view> Request::header(std::string_view name) const {
  return find_header(headers, name);
}

std::string_view Request::path() const {
  std::string_view t = target;
  return t.substr(0, t.find('?'));
}

std::string_view Request::query() const {
  std::string_view t = target;
  const std::size_t q = t.find('?');
  return q == std::string_view::npos ? std::string_view() : t.substr(q + 1);
}

namespace {
Response typed(int status, std::string body, std::string_view type) {
  Response r;
  r.status = status;
  r.headers.push_back(Header{"Content-Type", std::string(type)});
  r.body = std::move(body);
  return r;
}
}  // namespace

Response Response::text(int status, std::string body) {
  return typed(status, std::move(body), "text/plain; charset=utf-8");
}
Response Response::html(int status, std::string body) {
  return typed(status, std::move(body), "text/html; charset=utf-8");
}
Response Response::json(int status, std::string body) {
  return typed(status, std::move(body), "application/json");
}

Response& Response::set_header(std::string_view name, std::string_view value) {
  erase_header(headers, name);
  return add_header(name, value);
}

Response& Response::add_header(std::string_view name, std::string_view value) {
  headers.push_back(Header{std::string(name), std::string(value)});
  return *this;
}

std::optional<std::string_view> Response::header(std::string_view name) const {
  return find_header(headers, name);
}

}  // namespace eventlet::http
