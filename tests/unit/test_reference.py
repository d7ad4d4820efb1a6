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
