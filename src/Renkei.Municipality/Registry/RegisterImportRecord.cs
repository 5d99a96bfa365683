using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Municipality.Contracts;

namespace Renkei.Municipality.Registry;

/// <summary>
/// One person of an existing register, as `renkei registry import` reads it from CSV and as the demo
/// generator produces it. Columns (UTF-8 or Shift_JIS, header row required, in this order):
/// <code>
/// household_number  世帯番号 (digits, up to 12)
/// resident_code     住民票コード (11 digits with check digit)
/// family_name, given_name, family_name_kana, given_name_kana   氏名・フリガナ (kana in katakana)
/// birth_date        生年月日 (YYYY-MM-DD)
/// sex               性別 (1 男 / 2 女)
/// relationship      続柄 (世帯主, 妻, 子 … or its code)
/// address           住所 (full address inside the municipality)
/// resident_since    住民となった年月日 (YYYY-MM-DD)
/// foreign_resident  外国人住民 (0 / 1)
/// nationality       国籍・地域 (foreign residents only; blank otherwise)
/// individual_number 個人番号 (blank before initial assignment)
/// </code>
/// </summary>
public sealed record RegisterImportRecord(
    string HouseholdNumber,
    ResidentCode ResidentCode,
    string FamilyName,
    string GivenName,
    string FamilyNameKana,
    string GivenNameKana,
    DateOnly BirthDate,
    Sex Sex,
    Relationship Relationship,
    string Address,
    DateOnly ResidentSince,
    bool ForeignResident,
    string? Nationality,
    IndividualNumber? IndividualNumber)
{
    public static readonly string[] CsvColumns =
    [
        "household_number", "resident_code", "family_name", "given_name", "family_name_kana", "given_name_kana",
        "birth_date", "sex", "relationship", "address", "resident_since", "foreign_resident", "nationality", "individual_number",
    ];
}
