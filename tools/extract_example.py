#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""extract_example.py HEADER OUT.cpp: turn a module header's example into a doctest test.

The example sits between '// Example:' and '// End example' as a complete program. Its main()
becomes a function that the generated TEST_CASE runs and expects to return 0, so an example
in the documentation cannot stop compiling or stop working without a test failing.
"""
import re
import sys
import textwrap

header, out = sys.argv[1], sys.argv[2]
lines, inside, found = [], False, False
for line in open(header, encoding="utf-8"):
    stripped = line.rstrip("\n")
    if stripped.strip() == "// Example:":
        inside, found = True, True
        continue
    if stripped.strip() == "// End example":
        inside = False
        continue
    if inside:
        lines.append(re.sub(r"^\s*//", "", stripped))
if not found:
    sys.exit(f"{header}: no '// Example:' block")
code = textwrap.dedent("\n".join(lines))
# Includes go first; the rest lives in a namespace of its own so that examples never clash.
includes = [l for l in code.splitlines() if l.startswith("#include")]
body = "\n".join(l for l in code.splitlines() if not l.startswith("#include"))
module = header.split("/")[-2]
if "int main()" not in code:  # noqa: the example must be a whole program
    sys.exit(f"{header}: the example has no int main()")
body = body.replace("int main()", "int exampleMain()", 1)
with open(out, "w", encoding="utf-8") as f:
    f.write(f"// Generated from {header} by tools/extract_example.py; edit the header instead.\n")
    f.write("#include <doctest/doctest.h>\n" + "\n".join(includes) + "\n")
    f.write(f"namespace example_{module} {{\n{body}\n}}  // namespace example_{module}\n\n")
    f.write(f'TEST_CASE("the example in {header} runs and returns 0") {{\n')
    f.write(f"    CHECK(example_{module}::exampleMain() == 0);\n}}\n")
