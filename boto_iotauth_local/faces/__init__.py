"""How people reach the library besides ``activate()``: the ``iotauth-local`` command line, the pytest
plugin, the AWS CLI plugin and the demo. Each face is a thin layer over activation, services and worlds."""
