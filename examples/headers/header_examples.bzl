"""header_examples: compiles the code examples in headers' top comments."""

def _rule_name(name, header):
    # //debug:debug.h -> NAME_debug_debug_h
    return name + "_" + header[2:].replace(":", "_").replace("/", "_").replace(".", "_")

def header_examples(name, headers, copts, deps):
    """A cc_library NAME that compiles the examples of each header in `headers`.

    Args:
      name: the cc_library's name (testonly).
      headers: {header label: ([extra includes], "parameters")}; see extract_examples.sh.
      copts: for the cc_library.
      deps: what the examples and their includes need.
    """
    srcs = []
    for header, (includes, given) in headers.items():
        rule = _rule_name(name, header)
        native.genrule(
            name = rule,
            srcs = [header],
            outs = [rule + ".cc"],
            cmd = " ".join(
                ["$(location extract_examples.sh) $< $@"] +
                ["--include " + include for include in includes] +
                ["--given '" + given + "'"],
            ),
            tools = ["extract_examples.sh"],
            testonly = True,
        )
        srcs.append(":" + rule)
    native.cc_library(
        name = name,
        testonly = True,
        srcs = srcs,
        copts = copts,
        deps = deps,
    )
