using System.Text.Json;
using Renkei.Intermediate.Contracts;
using Renkei.Intermediate.Kinds;

namespace Renkei.Holders.Tests;

/// <summary>The two kinds the holders provide, as the intermediate server's shipped catalogue defines them.</summary>
public sealed class KindSchemaTests
{
    private static readonly InformationKindCatalogue Catalogue = InformationKindCatalogue.LoadDefault();

    private static List<string> Rules(string kind, string json) =>
        Catalogue.Find(kind)!.Validate(JsonDocument.Parse(json).RootElement).Select(e => $"{e.Path}:{e.Rule}").ToList();

    [Fact]
    public void The_catalogue_defines_the_pension_and_insurance_kinds_with_their_legal_names()
    {
        Assert.Equal("年金給付関係情報", Catalogue.Find(HolderInformationKindCodes.PensionBenefit)!.Name);
        Assert.Equal("医療保険資格関係情報", Catalogue.Find(HolderInformationKindCodes.HealthInsuranceQualification)!.Name);
    }

    [Fact]
    public void Typed_bodies_of_both_kinds_are_valid()
    {
        var pension = new PensionBenefitBody(2026, 1_870_000,
        [
            new PensionBenefitItem(PensionType.Disability, PensionScheme.Basic, 1, 1_039_625, new DateOnly(2011, 5, 2), new DateOnly(2011, 6, 1), null, false, null),
            new PensionBenefitItem(PensionType.Survivor, PensionScheme.Employees, null, 830_375, new DateOnly(2020, 1, 31), new DateOnly(2020, 2, 1),
                new DateOnly(2025, 4, 1), true, new DateOnly(2024, 10, 1)),
        ]);
        Assert.Empty(Catalogue.Find(HolderInformationKindCodes.PensionBenefit)!.Validate(CopyBodies.ToJson(pension)));
        var lost = new HealthInsuranceQualificationBody(InsurerType.JapanHealthInsuranceAssociation, "01130012", HealthInsuranceMemberCategory.Dependant,
            new DateOnly(2019, 4, 1), new DateOnly(2026, 10, 1), QualificationLossReason.LateElderlyMedicalCare);
        var current = lost with { LostOn = null, LossReason = null };
        foreach (var body in new[] { lost, current })
            Assert.Empty(Catalogue.Find(HolderInformationKindCodes.HealthInsuranceQualification)!.Validate(CopyBodies.ToJson(body)));
        Assert.Contains("\"lossReason\":\"lateElderlyMedicalCare\"", CopyBodies.ToJson(lost).GetRawText());
    }

    [Fact]
    public void Bodies_outside_the_schemas_are_refused_by_path_and_rule()
    {
        Assert.Equal(["$.benefits[0].disabilityGrade:maximum"], Rules(HolderInformationKindCodes.PensionBenefit, """
            {"amountFiscalYear":2026,"totalAnnualAmount":0,"benefits":[{"pensionType":"disability","scheme":"basic","disabilityGrade":4,
             "annualAmount":0,"rightAcquiredOn":"2020-01-01","paymentFrom":"2020-02-01","suspended":false}]}
            """));
        Assert.Equal(["$.benefits[0].pensionType:enum"], Rules(HolderInformationKindCodes.PensionBenefit, """
            {"amountFiscalYear":2026,"totalAnnualAmount":0,"benefits":[{"pensionType":"widow","scheme":"basic",
             "annualAmount":0,"rightAcquiredOn":"2020-01-01","paymentFrom":"2020-02-01","suspended":false}]}
            """));
        // The basic pension number has no place in a copy, and neither does a name.
        Assert.Contains("$.basicPensionNumber:additionalProperties", Rules(HolderInformationKindCodes.PensionBenefit, """
            {"amountFiscalYear":2026,"totalAnnualAmount":0,"benefits":[],"basicPensionNumber":"1234567890"}
            """));
        Assert.Contains("$.insuredName:forbidden-property", Rules(HolderInformationKindCodes.HealthInsuranceQualification, """
            {"insurerType":"healthInsuranceSociety","insurerNumber":"06139999","insuredCategory":"insured","acquiredOn":"2020-04-01","insuredName":"山田"}
            """));
        Assert.Equal(["$.insurerNumber:pattern", "$.lossReason:enum"], Rules(HolderInformationKindCodes.HealthInsuranceQualification, """
            {"insurerType":"healthInsuranceSociety","insurerNumber":"0613999","insuredCategory":"insured","acquiredOn":"2020-04-01",
             "lostOn":"2026-04-01","lossReason":"fired"}
            """));
    }
}
