from app.cases.reference import damm_digit, is_valid_reference, new_reference


def test_new_references_validate() -> None:
    for _ in range(500):
        ref = new_reference()
        assert len(ref) == 7 and ref.isdigit()
        assert is_valid_reference(ref)


def test_every_single_digit_error_and_adjacent_swap_is_caught() -> None:
    ref = "572" + "100" + str(damm_digit("572100"))
    assert is_valid_reference(ref)
    for i in range(7):
        for d in "0123456789":
            if d != ref[i]:
                assert not is_valid_reference(ref[:i] + d + ref[i + 1:])
    for i in range(6):
        swapped = ref[:i] + ref[i + 1] + ref[i] + ref[i + 2:]
        if swapped != ref:
            assert not is_valid_reference(swapped)


def test_rejects_wrong_shapes() -> None:
    assert not is_valid_reference("12345")
    assert not is_valid_reference("abcdefg")
    assert not is_valid_reference("١٢٣٤٥٦٧")


def test_numbers_may_start_with_zeros_so_there_are_a_million() -> None:
    from app.cases.reference import CAPACITY, reference_for

    for body in (0, 7, 42, 99_999, 999_999):
        ref = reference_for(body)
        assert len(ref) == 7 and ref[:6] == f"{body:06d}" and is_valid_reference(ref)
    # Two different bodies never share a number: the first six digits are the body itself.
    every = range(0, 1_000_000, 997)
    assert len({reference_for(b) for b in every}) == len(every)
    assert CAPACITY == 950_000  # the rest are kept for reports spooled during an outage


def test_spooled_reports_take_numbers_no_ordinary_case_can_have() -> None:
    from app.cases.reference import new_spool_reference

    usual = {new_reference() for _ in range(3000)}
    assert all(int(ref[:6]) < 950_000 for ref in usual)
    spooled = [new_spool_reference() for _ in range(300)]
    assert all(ref[:2] in {"95", "96", "97", "98", "99"} and is_valid_reference(ref)
               for ref in spooled)
    held = set(spooled)
    assert all(new_spool_reference(held) not in held for _ in range(300))


def test_new_numbers_include_ones_with_a_leading_zero() -> None:
    assert any(new_reference().startswith("0") for _ in range(500))


def test_a_leading_zero_survives_the_ussd_and_sms_readers() -> None:
    from app.cases.reference import reference_for
    from app.referral.sms_commands import parse_command
    from app.ussd.menu import clean_reference

    ref = reference_for(1234)  # "001234" + check digit
    assert clean_reference(f"{ref[:3]} {ref[3:]}") == ref
    assert parse_command(f"KUBALI {ref}").reference == ref
    assert parse_command(f"done #{ref} 1 home").reference == ref
