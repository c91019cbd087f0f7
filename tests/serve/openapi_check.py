"""A small validator for the subset of JSON Schema 2020-12 that core/serve/openapi.json
uses (type, enum, properties, required, additionalProperties, items, $ref, allOf,
unevaluatedProperties: false), in the Python standard library.  validate() returns the
list of what does not match, each with its place in the document ("$.job.runs[0]")."""

TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool)
    or isinstance(v, float) and v.is_integer(),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}
KNOWN = {"type", "enum", "properties", "required", "additionalProperties", "items", "$ref",
         "allOf", "unevaluatedProperties", "description"}


class Validator:
    def __init__(self, doc):
        self.doc = doc

    def resolve(self, s):
        while "$ref" in s:
            ref = s["$ref"]
            if not ref.startswith("#/"):
                raise ValueError("only local references: " + ref)
            s = self.doc
            for part in ref[2:].split("/"):
                s = s[part]
        return s

    def evaluated(self, s):
        """The property names s and its allOf branches define (for unevaluatedProperties)."""
        s = self.resolve(s)
        names = set(s.get("properties", {}))
        for b in s.get("allOf", []):
            names |= self.evaluated(b)
        return names

    def validate(self, v, s, at="$"):
        s = self.resolve(s)
        unknown = set(s) - KNOWN
        if unknown:
            return ["%s: the schema uses %s, which this validator does not check"
                    % (at, sorted(unknown))]
        errs = []
        t = s.get("type")
        if t is not None:
            ts = t if isinstance(t, list) else [t]
            if not any(TYPES[x](v) for x in ts):
                return ["%s: %r is not %s" % (at, v, " or ".join(ts))]
        if "enum" in s and v not in s["enum"]:
            errs.append("%s: %r is not one of %s" % (at, v, s["enum"]))
        for b in s.get("allOf", []):
            errs += self.validate(v, b, at)
        if isinstance(v, dict):
            props = s.get("properties", {})
            for k in s.get("required", []):
                if k not in v:
                    errs.append("%s: no %r" % (at, k))
            for k, x in v.items():
                where = "%s.%s" % (at, k)
                if k in props:
                    errs += self.validate(x, props[k], where)
                elif s.get("additionalProperties") is False:
                    errs.append("%s: not in the schema" % where)
                elif isinstance(s.get("additionalProperties"), dict):
                    errs += self.validate(x, s["additionalProperties"], where)
            if s.get("unevaluatedProperties") is False:
                known = self.evaluated(s)
                errs += ["%s.%s: not in the schema" % (at, k) for k in v if k not in known]
        if isinstance(v, list) and "items" in s:
            for i, x in enumerate(v):
                errs += self.validate(x, s["items"], "%s[%d]" % (at, i))
        return errs
