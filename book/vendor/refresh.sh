#!/usr/bin/env bash
# Refresh the JavaScript the rendered book serves itself, so that its pages make no third-party request:
#   mathjax/       MathJax 3 (tex-chtml.js, its CHTML fonts, the TeX extensions it loads on demand);
#                  Apache-2.0, mathjax/LICENSE
#   requirejs/     RequireJS (the module loader the widget manager needs); MIT, requirejs/LICENSE
#   html-manager/  @jupyter-widgets/html-manager (the bundle that renders saved widget state, and the
#                  web fonts its CSS asks for); BSD-3-Clause, html-manager/LICENSE and the bundled
#                  third-party notices in html-manager/dist/embed.js.LICENSE.txt
# Only what a page loads is copied. VERSIONS records the versions. book/_ext/offline_assets.py serves
# this folder as static files; _config.yml points mathjax_path and nb_ipywidgets_js at it.
#
# Usage: book/vendor/refresh.sh            (needs npm; run from anywhere)
# Then rebuild the book and run the browser tests: pytest -m browser
set -euo pipefail

MATHJAX=3.2.2
REQUIREJS=2.3.8
HTML_MANAGER=1.0.15        # matches ipywidgets 8.1 (@jupyter-widgets/controls 5, base 6)

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
npm pack --silent "mathjax@$MATHJAX" "requirejs@$REQUIREJS" "@jupyter-widgets/html-manager@$HTML_MANAGER" >/dev/null
for tgz in *.tgz; do
    mkdir "${tgz%.tgz}"
    tar -xzf "$tgz" -C "${tgz%.tgz}"
done

rm -rf "$here/mathjax" "$here/requirejs" "$here/html-manager"

# MathJax: the component Sphinx loads (mathjax_path), the fonts beside it, the TeX extensions it autoloads.
src="$work/mathjax-$MATHJAX/package/es5"
mkdir -p "$here/mathjax/output/chtml" "$here/mathjax/input/tex"
cp "$src/tex-chtml.js" "$here/mathjax/"
cp -r "$src/output/chtml/fonts" "$here/mathjax/output/chtml/"
cp -r "$src/input/tex/extensions" "$here/mathjax/input/tex/"
cp "$work/mathjax-$MATHJAX/package/LICENSE" "$here/mathjax/LICENSE"

# RequireJS: one file. The npm package carries no LICENSE file; its header says MIT.
mkdir -p "$here/requirejs"
cp "$work/requirejs-$REQUIREJS/package/require.js" "$here/requirejs/"
cat > "$here/requirejs/LICENSE" <<'EOF'
RequireJS is released under the MIT license (see the header of require.js).

Copyright jQuery Foundation and other contributors, https://jquery.org/

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
associated documentation files (the "Software"), to deal in the Software without restriction,
including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense,
and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so,
subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial
portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT
LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO
EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR
THE USE OR OTHER DEALINGS IN THE SOFTWARE.
EOF

# html-manager: the AMD bundle myst-nb loads (it defines base, controls and the manager itself) and
# the web fonts its CSS asks for (browsers take the woff2 entry of each @font-face).
src="$work/jupyter-widgets-html-manager-$HTML_MANAGER/package/dist"
mkdir -p "$here/html-manager/dist"
cp "$src/embed-amd.js" "$src/embed.js.LICENSE.txt" "$here/html-manager/dist/"
cp "$src"/*.woff2 "$here/html-manager/dist/"
cat > "$here/html-manager/LICENSE" <<'EOF'
@jupyter-widgets/html-manager is part of ipywidgets, distributed under the BSD 3-Clause License.
The bundle includes third-party code; their notices are in dist/embed.js.LICENSE.txt.

Copyright (c) 2015 Project Jupyter Contributors
All rights reserved.

Redistribution and use in source and binary forms, with or without modification, are permitted provided
that the following conditions are met:

1. Redistributions of source code must retain the above copyright notice, this list of conditions and
   the following disclaimer.

2. Redistributions in binary form must reproduce the above copyright notice, this list of conditions and
   the following disclaimer in the documentation and/or other materials provided with the distribution.

3. Neither the name of the copyright holder nor the names of its contributors may be used to endorse or
   promote products derived from this software without specific prior written permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND ANY EXPRESS OR IMPLIED
WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A
PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE FOR
ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED
TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION)
HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING
NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE
POSSIBILITY OF SUCH DAMAGE.
EOF

cat > "$here/VERSIONS" <<EOF
mathjax $MATHJAX
requirejs $REQUIREJS
@jupyter-widgets/html-manager $HTML_MANAGER
EOF
du -sh "$here/mathjax" "$here/requirejs" "$here/html-manager"
