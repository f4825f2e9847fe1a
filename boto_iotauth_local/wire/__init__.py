"""botocore glue: turn an intercepted HTTP request into a service call and its answer into HTTP again."""
