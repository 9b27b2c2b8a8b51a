"""Political birthdays (政治生日): the anniversary of joining the Party, and the five
gifts delivered for it."""
