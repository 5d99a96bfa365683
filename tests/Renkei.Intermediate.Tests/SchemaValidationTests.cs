using System.Text.Json;
using Renkei.Core.Numbers;
using Renkei.Infrastructure.Signing;
using Renkei.Intermediate.Contracts;
using Renkei.Intermediate.Kinds;
using Renkei.TestSupport;
using static Renkei.Intermediate.Tests.IntermediateHarness;

namespace Renkei.Intermediate.Tests;

/// <summary>The information kinds' schemas, the JSON Schema subset and the guard against numbers and basic facts.</summary>
public sealed class SchemaValidationTests
{
    private static readonly InformationKindCatalogue Catalogue = InformationKindCatalogue.LoadDefault();

    private static List<ValidationError> Validate(string kind, JsonElement body) => Catalogue.Find(kind)!.Validate(body);

    private static List<ValidationError> Validate(string kind, string body) => Validate(kind, Json(body));

    [Fact]
    public void The_shipped_file_defines_the_six_kinds_with_the_municipality_policy_codes()
    {
        Assert.Equal(
            ["resident-record", "local-tax", "child-allowance", "nursing-care-insurance", "national-health-insurance", "public-assistance"],
            Catalogue.Kinds.Select(k => k.Code).Take(6)); // the other holders' kinds follow (tests/Renkei.Holders.Tests)
        Assert.Equal("地方税関係情報", Catalogue.Find("local-tax")!.Name);
        Assert.Equal("国民健康保険関係情報", Catalogue.Find("national-health-insurance")!.Name);
        Assert.Null(Catalogue.Find("pension"));
    }

    [Fact]
    public void Typed_bodies_of_every_kind_are_valid()
    {
        var bodies = new (string Kind, object Body)[]
        {
            (InformationKindCodes.LocalTax, new LocalTaxBody(2026, true, 4_200_000, 1_300_000, 2_900_000, 290_000, 5_000, 2)),
            (InformationKindCodes.LocalTax, new LocalTaxBody(2026, false, 0, 0, 0, 0, 0, 0)),
            (InformationKindCodes.ResidentRecord, new ResidentRecordBody("120034", 1, [17, 18, 19], ResidentStatus.Resident, new DateOnly(2019, 4, 1), null)),
            (InformationKindCodes.ResidentRecord, new ResidentRecordBody("9", 4, [], ResidentStatus.MovedOut, null, new DateOnly(2026, 3, 31))),
            (InformationKindCodes.ChildAllowance, new ChildAllowanceBody(true, 2, 20_000, new DateOnly(2026, 4, 1), null)),
            (InformationKindCodes.NursingCareInsurance, new NursingCareInsuranceBody(InsuredCategory.First, CareLevel.Care2, 7, new DateOnly(2027, 3, 31))),
            (InformationKindCodes.NursingCareInsurance, new NursingCareInsuranceBody(InsuredCategory.Second, CareLevel.None, 1, null)),
            (InformationKindCodes.NationalHealthInsurance, new NationalHealthInsuranceBody(new DateOnly(2020, 10, 1), null, true, 180_000)),
            (InformationKindCodes.PublicAssistance, new PublicAssistanceBody(true, new DateOnly(2024, 1, 15), [AidType.Livelihood, AidType.Housing, AidType.NursingCare])),
            (InformationKindCodes.PublicAssistance, new PublicAssistanceBody(false, null, [])),
        };
        foreach (var (kind, body) in bodies)
        {
            var json = JsonSerializer.SerializeToElement(body, body.GetType(), Renkei.Core.Json.JsonDefaults.Options);
            Assert.Empty(Validate(kind, json));
        }
    }

    [Theory]
    [InlineData("""{"fiscalYear":"2026","taxable":true,"totalIncome":1,"totalDeductions":0,"taxableIncome":1,"incomeBasedTaxAmount":0,"perCapitaLevy":0,"dependantsCount":0}""", "$.fiscalYear", "type")]
    [InlineData("""{"fiscalYear":2026,"taxable":true,"totalIncome":1.5,"totalDeductions":0,"taxableIncome":1,"incomeBasedTaxAmount":0,"perCapitaLevy":0,"dependantsCount":0}""", "$.totalIncome", "type")]
    [InlineData("""{"fiscalYear":2026,"taxable":true,"totalIncome":1,"totalDeductions":0,"incomeBasedTaxAmount":0,"perCapitaLevy":0,"dependantsCount":0}""", "$.taxableIncome", "required")]
    [InlineData("""{"fiscalYear":2026,"taxable":true,"totalIncome":-1,"totalDeductions":0,"taxableIncome":1,"incomeBasedTaxAmount":0,"perCapitaLevy":0,"dependantsCount":0}""", "$.totalIncome", "minimum")]
    [InlineData("""{"fiscalYear":2226,"taxable":true,"totalIncome":1,"totalDeductions":0,"taxableIncome":1,"incomeBasedTaxAmount":0,"perCapitaLevy":0,"dependantsCount":0}""", "$.fiscalYear", "maximum")]
    [InlineData("""{"fiscalYear":2026,"taxable":true,"totalIncome":1,"totalDeductions":0,"taxableIncome":1,"incomeBasedTaxAmount":0,"perCapitaLevy":0,"dependantsCount":0,"remarks":"x"}""", "$.remarks", "additionalProperties")]
    [InlineData("""[1,2]""", "$", "type")]
    public void A_bad_local_tax_body_names_the_path_and_the_rule(string body, string path, string rule)
    {
        var errors = Validate(InformationKindCodes.LocalTax, body);
        var error = Assert.Single(errors);
        Assert.Equal(path, error.Path);
        Assert.Equal(rule, error.Rule);
        Assert.StartsWith($"{path}: {rule}: ", error.ToString());
    }

    [Theory]
    [InlineData("""{"householdNumber":"12a","relationshipCode":1,"householdMemberAddresseeNumbers":[1],"status":"resident"}""", "$.householdNumber", "pattern")]
    [InlineData("""{"householdNumber":"12","relationshipCode":1,"householdMemberAddresseeNumbers":[1,0],"status":"resident"}""", "$.householdMemberAddresseeNumbers[1]", "minimum")]
    [InlineData("""{"householdNumber":"12","relationshipCode":1,"householdMemberAddresseeNumbers":[1],"status":"alive"}""", "$.status", "enum")]
    [InlineData("""{"householdNumber":"12","relationshipCode":1,"householdMemberAddresseeNumbers":[1],"status":"resident","movedInOn":"2026-02-30"}""", "$.movedInOn", "format")]
    [InlineData("""{"householdNumber":"12","relationshipCode":1,"householdMemberAddresseeNumbers":[1],"status":"resident","movedInOn":20260201}""", "$.movedInOn", "type")]
    [InlineData("""{"householdNumber":"12","relationshipCode":100,"householdMemberAddresseeNumbers":[1],"status":"resident"}""", "$.relationshipCode", "maximum")]
    public void A_bad_resident_record_body_names_the_path_and_the_rule(string body, string path, string rule)
    {
        var error = Assert.Single(Validate(InformationKindCodes.ResidentRecord, body));
        Assert.Equal((path, rule), (error.Path, error.Rule));
    }

    [Fact]
    public void Arrays_longer_than_max_items_and_unknown_aid_types_are_refused()
    {
        var many = string.Join(",", Enumerable.Repeat("\"housing\"", 9));
        var errors = Validate(InformationKindCodes.PublicAssistance, $$"""{"receiving":true,"aidTypes":[{{many}}]}""");
        Assert.Equal(("$.aidTypes", "maxItems"), (errors.Single().Path, errors.Single().Rule));
        var unknown = Assert.Single(Validate(InformationKindCodes.PublicAssistance, """{"receiving":true,"aidTypes":["housing","lottery"]}"""));
        Assert.Equal(("$.aidTypes[1]", "enum"), (unknown.Path, unknown.Rule));
    }

    [Theory]
    [InlineData("name")]
    [InlineData("familyName")]
    [InlineData("given_name")]
    [InlineData("familyNameKana")]
    [InlineData("kana")]
    [InlineData("address")]
    [InlineData("homeAddress")]
    [InlineData("birthDate")]
    [InlineData("dateOfBirth")]
    [InlineData("sex")]
    [InlineData("gender")]
    [InlineData("individualNumber")]
    [InlineData("myNumber")]
    [InlineData("氏名")]
    [InlineData("住所")]
    [InlineData("生年月日")]
    [InlineData("個人番号")]
    public void A_property_named_like_a_basic_fact_or_a_number_is_refused_at_any_depth(string property)
    {
        var top = Validate(InformationKindCodes.ChildAllowance,
            $$"""{"eligible":true,"childrenCount":1,"monthlyAmount":10000,"periodFrom":"2026-04-01",{{JsonSerializer.Serialize(property)}}:"x"}""");
        Assert.Contains(top, e => e.Rule == "forbidden-property");
        var nested = Validate(InformationKindCodes.ChildAllowance,
            $$"""{"eligible":true,"childrenCount":1,"monthlyAmount":10000,"periodFrom":"2026-04-01","extra":[{"{{property}}":1}]}""");
        Assert.Contains(nested, e => e.Rule == "forbidden-property" && e.Path.StartsWith("$.extra[0].", StringComparison.Ordinal));
        Assert.True(ForbiddenContent.IsForbiddenPropertyName(property));
    }

    [Theory]
    [InlineData("addresseeNumber")]
    [InlineData("householdMemberAddresseeNumbers")]
    [InlineData("taxableIncome")]
    [InlineData("careLevel")]
    public void Ordinary_property_names_are_not_forbidden(string property) =>
        Assert.False(ForbiddenContent.IsForbiddenPropertyName(property));

    [Fact]
    public void A_string_holding_a_valid_individual_number_is_refused_in_any_written_form()
    {
        var number = IndividualNumber.FromBody(31_415_926_535);
        var forms = new[]
        {
            number.Digits,
            number.Digits[..4] + "-" + number.Digits[4..8] + "-" + number.Digits[8..],
            new string(number.Digits.Select(c => (char)('０' + (c - '0'))).ToArray()),
            "番号" + number.Digits + "です",
        };
        foreach (var form in forms)
        {
            Assert.True(ForbiddenContent.ContainsIndividualNumber(form));
            var errors = Validate(InformationKindCodes.ResidentRecord,
                $$"""{"householdNumber":{{JsonSerializer.Serialize(form)}},"relationshipCode":1,"householdMemberAddresseeNumbers":[1],"status":"resident"}""");
            var refusal = Assert.Single(errors, e => e.Rule == "individual-number");
            Assert.Equal("$.householdNumber", refusal.Path);
            Assert.DoesNotContain(number.Digits, string.Join(";", errors));
        }
        // Twelve digits with a wrong check digit are not a number: the guard lets them through (the schema decides).
        var wrong = number.Digits[..11] + (char)('0' + (number.CheckDigit + 1) % 10);
        Assert.False(ForbiddenContent.ContainsIndividualNumber(wrong));
        Assert.Empty(Validate(InformationKindCodes.ResidentRecord,
            $$"""{"householdNumber":"{{wrong}}","relationshipCode":1,"householdMemberAddresseeNumbers":[1],"status":"resident"}"""));
        // Thirteen digits hold no twelve-digit run standing alone.
        Assert.False(ForbiddenContent.ContainsIndividualNumber("1" + number.Digits));
    }

    [Theory]
    [InlineData("683950747692")]
    [InlineData("6.83950747692e11")]
    [InlineData("683950747692.0")]
    [InlineData("-683950747692")]
    [InlineData("100000000000")]
    public void A_json_number_of_twelve_integer_digits_is_refused_wherever_it_is(string written)
    {
        var declared = Validate(InformationKindCodes.LocalTax,
            $$"""{"fiscalYear":2026,"taxable":true,"totalIncome":{{written}},"totalDeductions":0,"taxableIncome":0,"incomeBasedTaxAmount":0,"perCapitaLevy":0,"dependantsCount":0}""");
        var undeclared = Validate(InformationKindCodes.ChildAllowance,
            $$"""{"eligible":true,"childrenCount":1,"monthlyAmount":10000,"periodFrom":"2026-04-01","extra":[{"n":{{written}}}]}""");

        // Written as an integer it is refused for that alone; written with a fraction or exponent the schema's "integer" refuses it too.
        Assert.Contains(declared, e => e is { Path: "$.totalIncome", Rule: "individual-number" });
        Assert.All(declared, e => Assert.True(e.Rule is "individual-number" or "type", e.ToString()));
        Assert.Contains(undeclared, e => e is { Path: "$.extra[0].n", Rule: "individual-number" });
        Assert.DoesNotContain(written.TrimStart('-'), string.Join(";", declared.Concat(undeclared)));
    }

    [Theory]
    [InlineData("99999999999")]        // eleven digits
    [InlineData("1000000000000")]      // thirteen
    [InlineData("683950747692.5")]     // not an integer
    [InlineData("4200000")]
    public void Other_numbers_pass_the_guard(string written)
    {
        using var document = JsonDocument.Parse(written);
        Assert.False(ForbiddenContent.IsTwelveDigitInteger(document.RootElement));
    }

    [Fact]
    public void A_repeated_property_and_a_number_where_an_integer_belongs_are_refused()
    {
        var repeated = Validate(InformationKindCodes.NationalHealthInsurance,
            """{"insuredSince":"2020-04-01","householdHead":true,"annualPremium":1,"annualPremium":2}""");
        Assert.Equal(("$.annualPremium", "duplicate"), (repeated.Single().Path, repeated.Single().Rule));

        var number = IndividualNumber.FromBody(12_345_678_901);
        var misplaced = Validate(InformationKindCodes.NationalHealthInsurance,
            $$"""{"insuredSince":"2020-04-01","householdHead":true,"annualPremium":"{{number.Digits}}"}""");
        Assert.Equal(["type", "individual-number"], misplaced.Select(e => e.Rule));
        Assert.All(misplaced, e => Assert.Equal("$.annualPremium", e.Path));
    }

    [Fact]
    public void A_property_name_that_is_not_an_identifier_is_not_echoed_in_the_path()
    {
        var errors = Validate(InformationKindCodes.ChildAllowance,
            """{"eligible":true,"childrenCount":1,"monthlyAmount":10000,"periodFrom":"2026-04-01","山田太郎":1}""");
        var error = Assert.Single(errors);
        Assert.Equal(("$.<property>", "additionalProperties"), (error.Path, error.Rule));
        Assert.DoesNotContain("山田", error.ToString());
    }

    // ------------------------------------------------------------------ the kinds file itself

    private static string KindsFile(string schema, string code = "test-kind") => $$"""
        { "version": "t", "source": "test", "kinds": [ { "code": "{{code}}", "name": "試験", "schema": {{schema}} } ] }
        """;

    [Theory]
    [InlineData("""{"type":"object","additionalProperties":false,"properties":{"a":{"type":"integer","minimun":0}}}""", "schema $.a: unsupported keyword 'minimun'")]
    [InlineData("""{"type":"object","additionalProperties":false,"properties":{"familyName":{"type":"string","pattern":"^.*$"}}}""", "schema $.familyName: a copy may not hold")]
    [InlineData("""{"type":"object","additionalProperties":false,"properties":{"remarks":{"type":"string"}}}""", "schema $.remarks: a string needs enum, pattern or format")]
    [InlineData("""{"type":"object","properties":{"a":{"type":"integer"}}}""", "schema $: an object needs additionalProperties false")]
    [InlineData("""{"type":"object","additionalProperties":false,"required":["b"],"properties":{"a":{"type":"integer"}}}""", "required property 'b' is not declared")]
    [InlineData("""{"type":"object","additionalProperties":false,"properties":{"a":{"type":"integer","minimum":5,"maximum":1}}}""", "minimum is greater than maximum")]
    [InlineData("""{"type":"object","additionalProperties":false,"properties":{"a":{"type":"string","pattern":"(["}}}""", "pattern is not a valid regular expression")]
    [InlineData("""{"type":"object","additionalProperties":false,"properties":{"a":{"type":"string","format":"email"}}}""", "the only supported format is 'date'")]
    [InlineData("""{"type":"text"}""", "unknown type 'text'")]
    public void A_broken_schema_is_refused_naming_the_file_the_kind_and_the_path(string schema, string expected)
    {
        using var directory = new TempDirectory();
        var path = directory.File("kinds.json");
        File.WriteAllText(path, KindsFile(schema));
        var error = Assert.Throws<SchemaDefinitionException>(() => InformationKindCatalogue.Load(path));
        Assert.Contains(path + ": kind 'test-kind'", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Malformed_json_bad_codes_and_repeated_codes_refuse_the_file()
    {
        using var directory = new TempDirectory();
        var path = directory.File("kinds.json");
        File.WriteAllText(path, "{ \"version\": \"t\", \"source\": \"s\", \"kinds\": [ { ] }");
        var malformed = Assert.Throws<SchemaDefinitionException>(() => InformationKindCatalogue.Load(path));
        Assert.StartsWith(path + ": not valid JSON (line 1)", malformed.Message);

        File.WriteAllText(path, KindsFile("""{"type":"object","additionalProperties":false}""", code: "Local_Tax"));
        Assert.Contains("code 'Local_Tax' is not lower-case", Assert.Throws<SchemaDefinitionException>(() => InformationKindCatalogue.Load(path)).Message);

        var schema = """{"type":"object","additionalProperties":false}""";
        File.WriteAllText(path, $$"""{ "version": "t", "source": "s", "kinds": [ {"code":"a","name":"A","schema":{{schema}}}, {"code":"a","name":"B","schema":{{schema}}} ] }""");
        Assert.Contains("kind 'a': the code appears twice", Assert.Throws<SchemaDefinitionException>(() => InformationKindCatalogue.Load(path)).Message);
    }

    [Fact]
    public async Task The_service_does_not_start_with_a_broken_kinds_file_and_names_it()
    {
        using var directory = new TempDirectory();
        using var database = TestDatabase.CreateSqlite();
        var path = directory.File("broken-kinds.json");
        File.WriteAllText(path, KindsFile("""{"type":"object","additionalProperties":false,"properties":{"a":{"type":"integer","exclusiveMinimum":0}}}"""));
        var error = await Assert.ThrowsAsync<SchemaDefinitionException>(() =>
            TestModules.StartIntermediateAsync(database.Database, IntermediateHarness.Options(directory.File("keys"), path)));
        Assert.Contains(path, error.Message);
        Assert.Contains("unsupported keyword 'exclusiveMinimum'", error.Message);

        // The same file fixed starts, and the service then knows only its kind.
        File.WriteAllText(path, KindsFile("""{"type":"object","additionalProperties":false,"properties":{"a":{"type":"integer","minimum":0}}}"""));
        await using var host = await TestModules.StartIntermediateAsync(database.Database, IntermediateHarness.Options(directory.File("keys"), path));
        using var keys = InstitutionKeys.LoadOrCreate(directory.File("keys"));
        using var client = IntermediateHttpClient.Signed(host.BaseAddress, Holder, keys.Signing);
        var kinds = await client.ListKindsAsync(new ListKindsRequest(Holder));
        Assert.Equal(["test-kind"], kinds.Kinds.Select(k => k.Code));
    }
}
