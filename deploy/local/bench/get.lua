-- GET of the URL given to wrk, with the bench token (the request is built once: wrk's fast path).
require("common")
