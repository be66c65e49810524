"""Six short, unrelated news stories (hand-written for the learned site-chrome and reprocess tests)."""

STORIES = [
    (
        "Bridge repairs close river crossing for three weeks",
        [
            "Crews began tearing up the deck of the Mill Street bridge on Monday, closing the only river crossing "
            "between the two halves of town until the middle of next month.",
            "The county engineer said rust had eaten through two of the steel beams under the eastbound lane, and "
            "that a load test in the spring showed the span could no longer carry school buses safely.",
            "Drivers are being sent north to the highway, a detour that adds about twenty minutes to a trip "
            "across town at rush hour. Merchants on the east bank worry that shoppers will simply stay away.",
        ],
    ),
    (
        "High school robotics team heads to national finals",
        [
            "A team of eleven students from Central High built a robot that stacks plastic crates faster than any "
            "other machine in the state, and next week they will take it to the national championship in Texas.",
            "Their teacher, who started the club in a storage closet six years ago, said the students wrote every "
            "line of the control software themselves and rebuilt the gripper arm four times after it kept jamming.",
            "Parents raised most of the travel money with a pancake breakfast and a raffle of donated quilts.",
        ],
    ),
    (
        "Drought forces farmers to sell cattle early",
        [
            "With the creeks dry and hay prices doubling since June, ranchers across the county are trucking "
            "calves to auction weeks before they would normally be sold.",
            "At the sale barn on Thursday, buyers paid less per pound than last fall because so many animals "
            "arrived at once, and several families said they would not break even this year.",
            "The state agriculture office has opened applications for emergency grazing on conservation land, but "
            "the paperwork takes a month and the grass there is thin as well.",
        ],
    ),
    (
        "Library extends weekend hours after survey",
        [
            "The public library will stay open until eight on Saturdays and open its doors on Sunday afternoons "
            "starting in October, after a survey found that working parents could rarely visit on weekdays.",
            "The board approved the change without raising the budget by moving two part-time positions from the "
            "weekday morning shift, when the reading rooms are mostly empty.",
            "The director said the branch would also lend laptops and wireless hotspots for two weeks at a time.",
        ],
    ),
    (
        "Council delays vote on downtown parking meters",
        [
            "City council members put off a decision on new parking meters for the downtown blocks after nearly "
            "forty residents lined up to speak against the plan at Tuesday's meeting.",
            "Supporters argued that free parking lets office workers fill every space before the shops open, while "
            "restaurant owners said a two-dollar hourly fee would drive away their lunch customers.",
            "The mayor asked staff to study a shorter free period instead and to return with numbers in November.",
        ],
    ),
    (
        "Volunteer firefighters recruit after a decade of decline",
        [
            "The rural fire district has lost nearly half of its volunteers over ten years, and the chief warned "
            "that some night calls now bring only two people to the station.",
            "To draw new members, the district will pay for training, offer a small stipend for each call and let "
            "volunteers keep their pagers at work with the blessing of several large employers.",
            "An open house at the station on Saturday will include ladder demonstrations and a chili lunch.",
        ],
    ),
]

# A site's template: a paragraph every story on the site carries (a prose footer no generic rule removes)
SITE_FOOTER = (
    "The Valley Courier has covered the towns of the upper valley since 1921 and is owned by the people "
    "who write and print it, through a cooperative founded by its typesetters."
)


def story_page(n: int, footer: str | None = SITE_FOOTER, site: str = "Valley Courier") -> str:
    """A plain-text page dump of story n with its site's footer."""
    title, paragraphs = STORIES[n]
    parts = [f"{title} | {site}", *paragraphs]
    if footer:
        parts.append(footer)
    return "\n\n".join(parts) + "\n"


def syndicated_copies() -> list[str]:
    """Four captures of story 0 on its own site: as first published, updated, excerpted, re-headlined."""
    title, paragraphs = STORIES[0]
    return [
        story_page(0),
        story_page(0).replace(title, title + " (updated)"),
        story_page(0).replace(paragraphs[2], ""),  # an excerpt: the last paragraph cut
        story_page(0).replace(title, "Mill Street bridge closes for repairs"),
    ]
