"""The words a fresh install starts with on the four pages that have a purpose (home, learn the
signs, how you can help, find help). Staff change them from /staff/pages/; this module only seeds
them (the data migration 0002 and the demo call `purpose_pages_ensure`), in English and Spanish
(the Spanish follows docs/glossary-es.md; staff may rewrite either).

Plain data and one function taking the model class, so the migration can pass its historical model."""

from __future__ import annotations

HOME_BODY = """\
## What your support pays for

- **Emergency housing**: safe rooms the same night, and help finding a home after.
- **Medical care**: clinic visits, medication and dental care, without questions about status.
- **Legal help**: immigration, protective orders and clearing records, with trusted attorneys.
- **Crisis counseling**: trauma-informed counselors, day or night.
- **Education and job training**: classes, certificates and paid placements toward independence.
- **Community support**: mentors, peer groups and everyday help rebuilding a life.

Every gift is recorded, and what we spend is published by category on our [open books](/transparency/).
"""

LEARN_THE_SIGNS_BODY = """\
Human trafficking is making someone work, or sell sex, through force, fraud or coercion; and any
commercial sex involving someone under 18. It happens in homes, on farms, in restaurants, hotels,
salons, factories and building sites, and online. It happens to people of every age, gender and
background, to citizens and to people who came from elsewhere.

## Signs that something may be wrong

No single sign proves anything, and most have innocent explanations. Several together are a reason
to ask for advice. Someone who is being trafficked may:

- not hold their own passport, ID or bank card, or not be allowed to keep the money they earn;
- owe a debt to an employer or recruiter that keeps growing and can never be paid off;
- seem afraid of someone, or always be with a person who speaks for them;
- not be free to leave their work or where they stay, or not know the address;
- live where they work, or in crowded housing the employer arranged;
- work very long hours with few breaks, for little or no pay;
- show injuries, exhaustion, untreated illness or hunger;
- tell a story that sounds rehearsed, or that changes;
- be under 18 and involved in commercial sex in any way.

## What to do

- **If someone is in immediate danger, call 911.**
- Call the National Human Trafficking Hotline at 1-888-373-7888 (TTY 711), or text 233733, and tell
  them what you saw. You do not have to be sure.
- Write down what you noticed: dates, times, places and descriptions. Facts, not guesses.
- If you can talk with the person privately and safely, listen without judging and let them know
  that help exists. Let them decide what happens next.
- Look after yourself as well: what you saw may stay with you.

## What not to do

- Do not confront someone you suspect, and do not try to rescue anyone yourself: it can put the
  person, and you, in danger.
- Do not question the person about what happened to them, or press them to tell their story.
- Do not promise what you cannot be sure of, such as a place to stay or a legal outcome.
- Do not post photos, names or details online.
- Do not decide for them, for example by contacting their employer or family, unless someone is in
  immediate danger.

If you, or someone you know, needs support, the [Find help](/find-help/) page lists services by need.
"""

HOW_YOU_CAN_HELP_BODY = """\
## Learn the signs

Knowing what trafficking can look like is the first step. Read our guide to
[the signs, and what to do and not to do](/learn-the-signs/), and keep the hotline number in your phone.

## Tell others

Many people never hear how close to home trafficking happens. Share this page, or the guide to the
signs, with friends and family, a school or a workplace, in an email or a message of your own. The
links below are plain links: no sharing buttons, nothing that follows you around the web.

## Speak up for change

- Ask the people who represent you how they support survivors: housing, legal help, and protection
  for people who come forward.
- Ask your employer, school or place of worship to train people to recognise the signs.
- When you talk or post about trafficking, protect survivors' privacy: no names, faces or places,
  and let survivors tell their own stories when and if they choose.

## Buy with care

Forced labour hides in the supply chains of everyday things: clothes, phones, seafood, chocolate,
coffee and more.

- Ask the brands you buy from how they check their suppliers for forced labour, and prefer the ones
  that publish what they find.
- Choose independently certified and fair-trade products where they exist, knowing that a label is
  not a guarantee.
- Buy from social enterprises that employ survivors and pay them fairly.
- Pay fairly for work done in and around your home, and ask who does it.
"""

FIND_HELP_BODY = """\
Whatever you need, you can start with the hotline: it is confidential and answers day and night.
If you are in immediate danger, call 911.

The services below are organisations we work with. We list how to reach them, never where anyone
stays. If a listing is out of date, please let us know.
"""

HOME_BODY_ES = """\
## Lo que paga su apoyo

- **Vivienda de emergencia**: habitaciones seguras esa misma noche, y ayuda para encontrar un hogar
  después.
- **Atención médica**: consultas en la clínica, medicamentos y atención dental, sin preguntas sobre
  su situación migratoria.
- **Ayuda legal**: inmigración, órdenes de protección y limpieza de antecedentes, con abogados de confianza.
- **Consejería en crisis**: personal de consejería con enfoque informado en el trauma, de día o de noche.
- **Educación y capacitación laboral**: clases, certificados y empleos pagados que llevan a la independencia.
- **Apoyo comunitario**: mentores, grupos de pares y ayuda diaria para reconstruir una vida.

Cada donación queda registrada, y lo que gastamos se publica por categoría en nuestras
[cuentas abiertas](/transparency/).
"""

LEARN_THE_SIGNS_BODY_ES = """\
La trata de personas es obligar a alguien a trabajar, o a vender sexo, mediante la fuerza, el fraude o
la coacción; y también cualquier comercio sexual en el que participe una persona menor de 18 años.
Ocurre en casas, en granjas, en restaurantes, hoteles, salones de belleza, fábricas y obras de
construcción, y en internet. Les ocurre a personas de cualquier edad, género y origen, a personas
con ciudadanía y a personas que llegaron de otros lugares.

## Señales de que algo puede estar mal

Ninguna señal por sí sola prueba nada, y la mayoría tiene explicaciones inocentes. Varias juntas son
motivo para pedir consejo. Una persona sometida a la trata puede:

- no tener su propio pasaporte, identificación o tarjeta bancaria, o no poder quedarse con el dinero que gana;
- tener una deuda con un empleador o reclutador que no deja de crecer y que nunca podrá pagar;
- parecer tener miedo de alguien, o estar siempre con una persona que habla por ella;
- no tener libertad para dejar su trabajo o el lugar donde se aloja, o no saber la dirección;
- vivir donde trabaja, o en una vivienda abarrotada que organizó el empleador;
- trabajar muchísimas horas con pocos descansos, por poco o ningún pago;
- tener lesiones, agotamiento, enfermedades sin tratar o hambre;
- contar una historia que parece ensayada, o que cambia;
- ser menor de 18 años y participar de cualquier forma en el comercio sexual.

## Qué hacer

- **Si alguien está en peligro inmediato, llame al 911.**
- Llame a la Línea Directa Nacional contra la Trata de Personas al 1-888-373-7888 (TTY 711), o envíe un
  mensaje de texto al 233733, y cuente lo que vio. No hace falta tener certeza.
- Anote lo que observó: fechas, horas, lugares y descripciones. Hechos, no suposiciones.
- Si puede hablar con la persona en privado y de forma segura, escúchela sin juzgarla y hágale saber
  que existe ayuda. Deje que ella decida lo que pasa después.
- Cuídese también: lo que vio puede acompañarle por un tiempo.

## Qué no hacer

- No confronte a la persona de quien sospecha, y no intente rescatar a nadie por su cuenta: puede poner
  en peligro a la persona, y a usted.
- No interrogue a la persona sobre lo que le pasó, ni la presione para que cuente su historia.
- No prometa lo que no puede asegurar, como un lugar donde quedarse o un resultado legal.
- No publique fotos, nombres ni detalles en internet.
- No decida por ella, por ejemplo contactando a su empleador o a su familia, a menos que alguien esté
  en peligro inmediato.

Si usted, o alguien que conoce, necesita apoyo, la página [Buscar ayuda](/find-help/) reúne los
servicios según la necesidad.
"""

HOW_YOU_CAN_HELP_BODY_ES = """\
## Conozca las señales

Saber cómo puede verse la trata es el primer paso. Lea nuestra guía sobre
[las señales, y qué hacer y qué no hacer](/learn-the-signs/), y guarde el número de la línea directa
en su teléfono.

## Cuénteselo a otras personas

Mucha gente nunca se entera de lo cerca que ocurre la trata. Comparta esta página, o la guía de las
señales, con amigos y familiares, en una escuela o en un lugar de trabajo, en un correo electrónico o
en un mensaje escrito por usted. Los enlaces de abajo son enlaces simples: sin botones para compartir,
nada que siga sus pasos por internet.

## Alce la voz por el cambio

- Pregunte a sus representantes cómo apoyan a las personas sobrevivientes: vivienda, ayuda legal y
  protección para quienes se animan a hablar.
- Pida a su empleador, escuela o lugar de culto que capaciten a las personas para reconocer las señales.
- Cuando hable o publique sobre la trata, proteja la privacidad de las personas sobrevivientes: sin
  nombres, caras ni lugares, y deje que ellas cuenten su propia historia cuando quieran, si quieren.

## Compre con cuidado

El trabajo forzoso se esconde en las cadenas de suministro de las cosas de todos los días: ropa,
teléfonos, mariscos, chocolate, café y más.

- Pregunte a las marcas que compra cómo revisan a sus proveedores para detectar el trabajo forzoso, y
  prefiera las que publican lo que encuentran.
- Elija productos con certificación independiente y de comercio justo cuando existan, sabiendo que una
  etiqueta no es una garantía.
- Compre a empresas sociales que emplean a personas sobrevivientes y les pagan de forma justa.
- Pague de forma justa por el trabajo que se hace en su casa y alrededor de ella, y pregunte quién lo hace.
"""

FIND_HELP_BODY_ES = """\
Necesite lo que necesite, puede empezar por la línea directa: es confidencial y atiende de día y de noche.
Si está en peligro inmediato, llame al 911.

Los servicios de abajo son organizaciones con las que trabajamos. Indicamos cómo comunicarse con ellas,
nunca dónde se aloja nadie. Si un dato está desactualizado, por favor avísenos.
"""

PURPOSE_PAGES = [
    {
        "purpose": "home",
        "slug": "home",
        "title": "Safety, care and a future for survivors of human trafficking",
        "summary": (
            "We fund and staff the help survivors need, the night they need it and for as long as it takes."
        ),
        "body": HOME_BODY,
        "title_es": "Seguridad, atención y un futuro para sobrevivientes de la trata de personas",
        "summary_es": (
            "Financiamos y ofrecemos la ayuda que las personas sobrevivientes necesitan, la noche que la "
            "necesitan y durante todo el tiempo que haga falta."
        ),
        "body_es": HOME_BODY_ES,
        "in_navigation": False,
        "nav_position": 10,
    },
    {
        "purpose": "find_help",
        "slug": "find-help",
        "title": "Find help",
        "summary": (
            "Services for survivors of human trafficking and the people who support them, grouped by "
            "need, with their public contact details."
        ),
        "body": FIND_HELP_BODY,
        "title_es": "Buscar ayuda",
        "summary_es": (
            "Servicios para sobrevivientes de la trata de personas y para quienes les apoyan, agrupados "
            "según la necesidad, con sus datos de contacto públicos."
        ),
        "body_es": FIND_HELP_BODY_ES,
        "in_navigation": True,
        "nav_position": 20,
    },
    {
        "purpose": "learn_the_signs",
        "slug": "learn-the-signs",
        "title": "Learn the signs",
        "summary": (
            "Trafficking often hides in plain sight. What to look for, and what to do and not to do if "
            "you think someone is being trafficked."
        ),
        "body": LEARN_THE_SIGNS_BODY,
        "title_es": "Conozca las señales",
        "summary_es": (
            "La trata suele esconderse a la vista de todos. Qué observar, y qué hacer y qué no hacer si "
            "usted cree que una persona está siendo sometida a la trata."
        ),
        "body_es": LEARN_THE_SIGNS_BODY_ES,
        "in_navigation": True,
        "nav_position": 30,
    },
    {
        "purpose": "how_you_can_help",
        "slug": "how-you-can-help",
        "title": "How you can help",
        "summary": "Give where money is short, give your time, tell others, speak up and buy with care.",
        "body": HOW_YOU_CAN_HELP_BODY,
        "title_es": "Cómo puede ayudar",
        "summary_es": (
            "Done donde falta dinero, dé su tiempo, cuénteselo a otras personas, alce la voz y compre con "
            "cuidado."
        ),
        "body_es": HOW_YOU_CAN_HELP_BODY_ES,
        "in_navigation": True,
        "nav_position": 40,
    },
]


def purpose_pages_ensure(page_model, *, now) -> int:
    """Creates each page with a purpose that does not exist yet (published, in English and Spanish);
    leaves existing ones as staff wrote them, except that a page still carrying exactly the seeded
    English and no Spanish at all (an install seeded before the Spanish existed) gets the Spanish.
    Returns how many it created."""
    created = 0
    for spec in PURPOSE_PAGES:
        existing = page_model.objects.filter(purpose=spec["purpose"]).first()
        if existing is not None:
            _spanish_fill(existing, spec)
            continue
        slug = spec["slug"]
        if page_model.objects.filter(slug=slug).exists():  # an ordinary page took the address
            slug = f"{slug}-{spec['purpose'].replace('_', '-')}"
        page_model.objects.create(
            purpose=spec["purpose"],
            slug=slug,
            title=spec["title"],
            title_en=spec["title"],
            title_es=spec["title_es"],
            summary=spec["summary"],
            summary_en=spec["summary"],
            summary_es=spec["summary_es"],
            body=spec["body"],
            body_en=spec["body"],
            body_es=spec["body_es"],
            is_published=True,
            published_at=now,
            in_navigation=spec["in_navigation"],
            nav_position=spec["nav_position"],
        )
        created += 1
    return created


def _spanish_fill(page, spec) -> None:
    """Adds the seeded Spanish to a page nobody has edited since it was seeded in English only."""
    seeded = (spec["title"], spec["summary"], spec["body"])
    untouched = (page.title_en, page.summary_en, page.body_en) == seeded
    if not untouched or any((page.title_es, page.summary_es, page.body_es)):
        return
    page.title_es, page.summary_es, page.body_es = spec["title_es"], spec["summary_es"], spec["body_es"]
    page.save(update_fields=["title_es", "summary_es", "body_es"])
