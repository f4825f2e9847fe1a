"""The iot:Certificate.* policy variables of registered certificates."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from boto_iotauth_local.world import World
from boto_iotauth_local.world.certvars import escape, substitutable

P = "iot:Certificate."


def variables(world: World, **kwargs: object) -> Mapping[str, str | tuple[str, ...]]:
    created = world.create_test_certificate(**kwargs)  # type: ignore[arg-type]
    certificate = world.certificate(created["certificateId"])
    assert certificate is not None
    return certificate.policy_variables()


def test_single_values_and_self_signed_issuer(world: World) -> None:
    found = variables(world, subject={"CommonName": "dev1", "Country": "US", "State": "WA"})
    for section in ("Subject", "Issuer"):
        assert found[f"{P}{section}.CommonName"] == "dev1"
        assert found[f"{P}{section}.Country"] == "US"
        assert found[f"{P}{section}.State"] == "WA"
        assert found[f"{P}{section}.CommonName.List"] == ("dev1",)
        assert f"{P}{section}.CommonName.1" not in found
    assert f"{P}Subject.Organization" not in found


def test_every_name_field(world: World) -> None:
    subject = {
        "CommonName": "cn",
        "Organization": "o",
        "OrganizationalUnit": "ou",
        "Country": "DE",
        "State": "st",
        "SerialNumber": "sn123",
        "Title": "title",
        "Surname": "surname",
        "GivenName": "given",
        "Initials": "XY",
        "Pseudonym": "pseudo",
        "GenerationQualifier": "III",
        "DistinguishedNameQualifier": "dnq",
    }
    found = variables(world, subject=subject, issuer={"CommonName": "Issuing CA", "Organization": "CA Org"})
    for field, value in subject.items():
        assert found[f"{P}Subject.{field}"] == value
    assert found[f"{P}Issuer.CommonName"] == "Issuing CA"
    assert found[f"{P}Issuer.Organization"] == "CA Org"
    assert f"{P}Issuer.Title" not in found


def test_multi_valued_fields_index_from_the_first_and_cap_at_five(world: World) -> None:
    found = variables(world, subject={"Organization": ["o0", "o1", "o2", "o3", "o4", "o5", "o6"]})
    assert found[f"{P}Subject.Organization"] == "o0"
    assert [found[f"{P}Subject.Organization.{i}"] for i in range(1, 5)] == ["o1", "o2", "o3", "o4"]
    assert f"{P}Subject.Organization.5" not in found
    assert f"{P}Subject.Organization.6" not in found
    assert found[f"{P}Subject.Organization.List"] == ("o0", "o1", "o2", "o3", "o4")


def test_two_values(world: World) -> None:
    found = variables(world, subject={"Country": ["US", "CA"]})
    assert found[f"{P}Subject.Country"] == "US"
    assert found[f"{P}Subject.Country.1"] == "CA"
    assert f"{P}Subject.Country.2" not in found
    assert found[f"{P}Subject.Country.List"] == ("US", "CA")


def test_values_over_1024_characters_are_not_substituted(world: World) -> None:
    found = variables(
        world,
        subject={"CommonName": "d", "Organization": ["x" * 1024, "y" * 1025, "z"]},
    )
    assert found[f"{P}Subject.Organization"] == "x" * 1024
    assert f"{P}Subject.Organization.1" not in found
    assert found[f"{P}Subject.Organization.2"] == "z"
    assert f"{P}Subject.Organization.List" not in found


def test_long_first_value_leaves_the_plain_key_out(world: World) -> None:
    found = variables(world, subject={"OrganizationalUnit": ["u" * 1025]})
    assert not any(key.startswith(f"{P}Subject.OrganizationalUnit") for key in found)
    assert f"{P}Subject.OrganizationalUnit" not in found[f"{P}AvailableKeys"]


@pytest.mark.parametrize("character", ["*", "$", "+", "?", "#"])
def test_values_with_wildcard_characters_are_not_substituted(world: World, character: str) -> None:
    found = variables(
        world, subject={"CommonName": f"dev{character}1", "Organization": ["ok", f"a{character}"]}
    )
    assert f"{P}Subject.CommonName" not in found
    assert f"{P}Subject.CommonName.List" not in found
    assert found[f"{P}Subject.Organization"] == "ok"
    assert f"{P}Subject.Organization.1" not in found
    assert f"{P}Subject.Organization.List" not in found


def test_special_characters_are_backslash_escaped(world: World) -> None:
    found = variables(world, subject={"Organization": 'Acme, Inc. <"a"=b;c\\d>'})
    assert found[f"{P}Subject.Organization"] == 'Acme\\, Inc. \\<\\"a\\"\\=b\\;c\\\\d\\>'
    assert found[f"{P}Subject.Organization.List"] == ('Acme\\, Inc. \\<\\"a\\"\\=b\\;c\\\\d\\>',)


def test_escape_follows_the_developer_guide_example() -> None:
    assert escape("O=Amazon.com Inc. L=Seattle") == "O\\=Amazon.com Inc. L\\=Seattle"
    assert escape("plain-value_1.2") == "plain-value_1.2"
    assert substitutable("a" * 1024) and not substitutable("a" * 1025)
    assert not substitutable("a+b")


def test_subject_alternative_names(world: World) -> None:
    found = variables(
        world,
        subject_alternative_names={
            "DNSName": ["a.example.com", "b.example.com"],
            "RFC822Name": ["dev@example.com"],
            "UniformResourceIdentifier": ["urn:device:1"],
            "IPAddress": ["192.0.2.1", "2001:db8::1"],
            "DirectoryName": ["CN=dir,O=Org"],
        },
    )
    san = f"{P}Subject.AlternativeName."
    assert found[san + "DNSName"] == "a.example.com"
    assert found[san + "DNSName.1"] == "b.example.com"
    assert found[san + "DNSName.List"] == ("a.example.com", "b.example.com")
    assert found[san + "RFC822Name"] == "dev@example.com"
    assert found[san + "UniformResourceIdentifier"] == "urn:device:1"
    assert found[san + "IPAddress"] == "192.0.2.1"
    assert found[san + "IPAddress.1"] == "2001:db8::1"
    assert found[san + "DirectoryName"] == "CN\\=dir\\,O\\=Org"
    assert not any(key.startswith(f"{P}Issuer.AlternativeName") for key in found)


def test_san_rules_match_name_rules(world: World) -> None:
    found = variables(
        world,
        subject_alternative_names={"DNSName": [f"h{i}.example.com" for i in range(7)] + ["*.example.com"]},
    )
    san = f"{P}Subject.AlternativeName.DNSName"
    assert found[san + ".4"] == "h4.example.com"
    assert san + ".5" not in found
    assert found[san + ".List"] == tuple(f"h{i}.example.com" for i in range(5))
    wildcard = variables(world, subject_alternative_names={"DNSName": ["*.example.com"]})
    assert san not in wildcard


def test_issuer_alternative_names(world: World) -> None:
    found = variables(
        world, issuer_alternative_names={"UniformResourceIdentifier": ["https://ca.example.com/"]}
    )
    assert found[f"{P}Issuer.AlternativeName.UniformResourceIdentifier"] == "https://ca.example.com/"


def test_serial_number_is_decimal(world: World) -> None:
    found = variables(world, serial_number=0x921285CBB7A5E086)
    assert found[f"{P}SerialNumber"] == "10525622389124227206"


def test_available_keys(world: World) -> None:
    found = variables(
        world,
        subject={"CommonName": "dev", "Organization": ["a", "b"], "Title": "bad*"},
        issuer={"CommonName": "ca"},
        subject_alternative_names={"DNSName": ["d.example.com"]},
    )
    assert found[f"{P}AvailableKeys"] == (
        f"{P}Issuer.CommonName",
        f"{P}Subject.CommonName",
        f"{P}Subject.Organization",
        f"{P}Subject.AlternativeName.DNSName",
        f"{P}SerialNumber",
    )


def test_variables_are_computed_once_at_registration(world: World) -> None:
    created = world.create_test_certificate({"CommonName": "dev"})
    certificate = world.certificate(created["certificateId"])
    assert certificate is not None
    assert certificate.policy_variables() is certificate.policy_variables()
    with pytest.raises(TypeError):
        certificate.policy_variables()[f"{P}Subject.CommonName"] = "other"  # type: ignore[index]
    world.update_certificate(created["certificateId"], "INACTIVE")
    updated = world.certificate(created["certificateId"])
    assert updated is not None and updated.policy_variables() is certificate.policy_variables()


def test_registered_pem_gets_variables_too(world: World) -> None:
    from boto_iotauth_local.world import generate_certificate

    pem = generate_certificate({"CommonName": "from-pem", "Organization": ["x", "y"]}).certificate_pem
    cid = world.register_certificate(pem, setAsActive=True)["certificateId"]
    certificate = world.certificate(cid)
    assert certificate is not None
    assert certificate.policy_variables()[f"{P}Subject.Organization.1"] == "y"
