// Copyright 2026 The eventlet-cpp Authors.
#include "green_net/http/url.h"

#include <optional>
#include <utility>

namespace eventlet::http {
namespace {

bool is_alpha(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c; }

// The length of a URI scheme followed by ':' at the start of `s`, or 0.
std::size_t scheme_length(std::string_view s) {
  if (s.empty() || !is_alpha(s[0])) return 0;
  for (std::size_t i = 1; i < s.size(); ++i) {
    const unsigned char c = s[i];
    if (c == ':') return i;
    if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.')
      return 0;
  }
  return 0;
}

bool has_bad_chars(std::string_view s) {
  for (unsigned char c : s) {
    if (c <= 0x20 || c == 0x7f) return true;
  }
  return false;
}

// Percent-encodes bytes >= 0x80 (a path or query as typed, with UTF-8).
std::string encode_high_bytes(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (c >= 0x80) {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// RFC 3986 section 5.2.4.
std::string remove_dot_segments(std::string_view in) {
  std::string out;
  auto pop_segment = [&out] {
    const std::size_t slash = out.rfind('/');
    out.erase(slash == std::string::npos ? 0 : slash);
  };
  while (!in.empty()) {
    if (in.starts_with("../")) {
      in.remove_prefix(3);
    } else if (in.starts_with("./")) {
      in.remove_prefix(2);
    } else if (in.starts_with("/./")) {
      in.remove_prefix(2);
    } else if (in == "/.") {
      in = "/";
    } else if (in.starts_with("/../")) {
      in.remove_prefix(3);
      pop_segment();
    } else if (in == "/..") {
      in = "/";
      pop_segment();
    } else if (in == "." || in == "..") {
      in = {};
    } else {
      std::size_t next = in.find('/', in[0] == '/' ? 1 : 0);
      if (next == std::string_view::npos) next = in.size();
      out.append(in.substr(0, next));
      in.remove_prefix(next);
    }
  }
  return out;
}

// Splits "path?query" (no fragment) into its parts.
std::pair<std::string_view, std::string_view> split_query(
    std::string_view target) {
  const std::size_t q = target.find('?');
  if (q == std::string_view::npos) return {target, {}};
  return {target.substr(0, q), target.substr(q)};
}

std::string_view strip_fragment(std::string_view s) {
  return s.substr(0, s.find('#'));
}

bool valid_reg_name(std::string_view host) {
  for (unsigned char c : host) {
    if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '.' && c != '_' &&
        c != '~' && c != '%')
      return false;
  }
  return true;
}

bool valid_ipv6_literal(std::string_view host) {
  if (host.empty()) return false;
  for (unsigned char c : host) {
    if (!is_digit(c) && !(lower(c) >= 'a' && lower(c) <= 'f') && c != ':' &&
        c != '.')
      return false;
  }
  return true;
}

}  // namespace

Url Url::parse(std::string_view text, error_code& ec) {
  ec.clear();
  if (text.empty() || has_bad_chars(text)) {
    ec = Errc::kBadUrl;
    return {};
  }
  const std::size_t scheme_len = scheme_length(text);
  if (scheme_len == 0 || text.substr(scheme_len, 3) != "://") {
    ec = Errc::kMissingScheme;
    return {};
  }
  std::string scheme(text.substr(0, scheme_len));
  for (char& c : scheme) c = lower(c);
  if (scheme != "http" && scheme != "https") {
    ec = Errc::kUnsupportedScheme;
    return {};
  }
  std::string_view rest = strip_fragment(text.substr(scheme_len + 3));
  const std::size_t authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view target = authority_end == std::string_view::npos
                                ? std::string_view()
                                : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    ec = Errc::kUserInfoNotSupported;
    return {};
  }

  Url url;
  url.scheme = scheme;
  url.port = scheme == "https" ? 443 : 80;
  std::string_view host;
  std::optional<std::string_view> port;
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      ec = Errc::kBadHost;
      return {};
    }
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') {
        ec = Errc::kBadHost;
        return {};
      }
      port = after.substr(1);
    }
    if (host.empty()) {
      ec = Errc::kEmptyHost;
      return {};
    }
    if (!valid_ipv6_literal(host)) {
      ec = Errc::kBadHost;
      return {};
    }
  } else {
    const std::size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    if (host.empty()) {
      ec = Errc::kEmptyHost;
      return {};
    }
    if (!valid_reg_name(host)) {
      ec = Errc::kBadHost;
      return {};
    }
  }
  if (port && !port->empty()) {
    std::uint32_t value = 0;
    for (unsigned char c : *port) {
      if (!is_digit(c) || value > 65535) {
        ec = Errc::kBadPort;
        return {};
      }
      value = value * 10 + (c - '0');
    }
    if (value == 0 || value > 65535) {
      ec = Errc::kBadPort;
      return {};
    }
    url.port = static_cast<std::uint16_t>(value);
  }
  url.host.reserve(host.size());
  for (char c : host) url.host += lower(c);
  url.target = encode_high_bytes(target);
  if (url.target.empty() || url.target[0] == '?') url.target.insert(0, "/");
  return url;
}

Url Url::parse(std::string_view text) {
  error_code ec;
  Url url = parse(text, ec);
  if (ec) throw Error(ec, "", std::string(text));
  return url;
}

std::string Url::authority() const {
  std::string out;
  if (host.find(':') != std::string::npos) {
    out = "[" + host + "]";
  } else {
    out = host;
  }
  if (port != (is_https() ? 443 : 80)) out += ":" + std::to_string(port);
  return out;
}

std::string Url::to_string() const {
  return scheme + "://" + authority() + target;
}

Url Url::resolve(std::string_view reference, error_code& ec) const {
  ec.clear();
  reference = strip_fragment(reference);
  if (has_bad_chars(reference)) {
    ec = Errc::kBadUrl;
    return {};
  }
  if (scheme_length(reference) != 0) return parse(reference, ec);
  if (reference.starts_with("//")) {
    return parse(scheme + ":" + std::string(reference), ec);
  }
  Url out = *this;
  if (reference.empty()) return out;
  auto [base_path, base_query] = split_query(target);
  auto [ref_path, ref_query] = split_query(reference);
  std::string path;
  if (ref_path.empty()) {
    path = std::string(base_path);  // "?q": same path, new query
  } else if (ref_path[0] == '/') {
    path = remove_dot_segments(ref_path);
  } else {
    const std::size_t slash = base_path.rfind('/');
    std::string merged(base_path.substr(0, slash + 1));
    merged += ref_path;
    path = remove_dot_segments(merged);
  }
  if (path.empty() || path[0] != '/') path.insert(0, "/");
  out.target = encode_high_bytes(path + std::string(ref_query));
  return out;
}

}  // namespace eventlet::http
